import type { TurnContext } from '@microsoft/agents-hosting';
import { parseAmendedParams, parseStandingTerms } from '../../blocks/approve-modals';
import { decidedLine, notDecided, outcomeSentence } from '../../present';
import {
  AMEND_VERB,
  ANSWER_VERB,
  ASK_VERB,
  BREAK_GLASS_VERB,
  FLAG_VERB,
  INPUTS,
  REVOKE_VERB,
  SIGN_OFF_VERB,
  STANDING_VERB,
} from '../cards/forms';
import { speech } from '../cards/request-card';
import type { TeamsDeps } from '../deps';
import type { TeamsPerson } from '../port';
import { type Click, input, type Reply } from './click';
import { personOf } from './person';

/**
 * The forms of a card (issue 16). Each reads its inputs, says at once what is missing in words the
 * clicker can act on, then calls one port verb: the core checks who may act, the rule's limits and
 * the lengths again, and a refusal is shown in its words, to the clicker alone.
 */
export async function onFormAction(
  deps: TeamsDeps,
  context: TurnContext,
  click: Click,
  reply: Reply,
): Promise<void> {
  const act = VERBS[click.verb];
  if (!act) return reply.tell('Countersign does not know that button.');
  const who = await personOf(deps, context);
  if (!who.ok) return reply.tell(who.why);
  return act(deps, who.person, click, reply);
}

/** Whether a button's verb is one of the forms' (the rest are Approve and Deny). */
export const isFormVerb = (verb: string): boolean => Object.hasOwn(VERBS, verb);

type Verb = (deps: TeamsDeps, person: TeamsPerson, click: Click, reply: Reply) => Promise<void>;

const VERBS: Record<string, Verb> = {
  [AMEND_VERB]: async (deps, person, click, reply) => {
    const found = await deps.port.find(person, click.actionId);
    if (!found.ok) return reply.tell(notDecided('approve', found.message));
    // The reviewer edited the params they were shown: if the request changed since, they did not see it.
    if (found.request.digest !== click.data.digest)
      return reply.tell('Not approved: this request changed since the card was drawn; look at it again.');
    const amended = parseAmendedParams(input(click, INPUTS.params) ?? '', found.request.params);
    if ('error' in amended) return reply.tell(notDecided('approve', amended.error));
    const result = await deps.port.review(person, click.actionId, 'approve', undefined, {
      amend: { params: amended.params },
    });
    if (!result.ok) return reply.tell(notDecided('approve', result.message));
    return reply.show(result.request, decidedLine('approve', result.request));
  },

  [STANDING_VERB]: async (deps, person, click, reply) => {
    const options = await deps.port.reviewOptions(click.actionId);
    if (!options?.standing)
      return reply.tell("Not approved: this request's rule does not allow standing approvals.");
    const terms = parseStandingTerms(input(click, INPUTS.for), input(click, INPUTS.uses), options.standing);
    if ('errors' in terms) return reply.tell(notDecided('approve', Object.values(terms.errors).join(' ')));
    const resource = input(click, INPUTS.resource);
    const result = await deps.port.review(person, click.actionId, 'approve', undefined, {
      standing: { ...terms.standing, ...(resource && { resource }) },
    });
    if (!result.ok) return reply.tell(notDecided('approve', result.message));
    return reply.show(result.request, decidedLine('approve', result.request));
  },

  [ASK_VERB]: async (deps, person, click, reply) => {
    const question = input(click, INPUTS.question);
    if (!question) return reply.tell('Type your question under Ask…, then press Ask.');
    const result = await deps.port.ask(person, click.actionId, question);
    if (!result.ok) return reply.tell(`Not asked: ${result.message}`);
    return reply.tell(
      `You asked about ${result.request.action} (${result.request.id}); the question is in the card's thread and the request stays pending.`,
    );
  },

  [ANSWER_VERB]: async (deps, person, click, reply) => {
    const answer = input(click, INPUTS.answer);
    if (!answer) return reply.tell('Type your answer under Answer…, then press Answer.');
    const result = await deps.port.answer(person, click.actionId, answer);
    if (!result.ok) return reply.tell(`Not answered: ${result.message}`);
    return reply.tell(
      `Your answer is in the thread; ${result.request.action} (${result.request.id}) stays pending.`,
    );
  },

  [BREAK_GLASS_VERB]: async (deps, person, click, reply) => {
    const reason = input(click, INPUTS.glassReason);
    if (!reason)
      return reply.tell('Break-glass needs a reason: type it under Break glass…, then press Break glass.');
    const result = await deps.port.breakGlass(person, click.actionId, reason);
    if (!result.ok) return reply.tell(`Glass not broken: ${result.message}`);
    // The clicker's card becomes the requester's view: the approvers' Sign off / Flag… is not for them.
    return reply.show(
      result.request,
      `You broke the glass: ${outcomeSentence(result.request, speech)}.`,
      'requester',
    );
  },

  [SIGN_OFF_VERB]: (deps, person, click, reply) => followUp(deps, person, click, reply, 'sign_off'),
  [FLAG_VERB]: (deps, person, click, reply) => followUp(deps, person, click, reply, 'flag'),

  [REVOKE_VERB]: async (deps, person, click, reply) => {
    const result = await deps.port.revokeStanding(person, click.actionId);
    if (!result.ok) return reply.tell(`Not revoked: ${result.message}`);
    const { standing } = result;
    return reply.tell(
      `Revoked the standing approval of ${standing.action}${standing.resource ? ` on ${standing.resource}` : ''} for ${speech.who(standing.requester)} (${standing.id}): no later request is approved by it.`,
    );
  },
};

async function followUp(
  deps: TeamsDeps,
  person: TeamsPerson,
  click: Click,
  reply: Reply,
  decision: 'sign_off' | 'flag',
): Promise<void> {
  const comment = input(click, INPUTS.followUpComment);
  if (decision === 'flag' && !comment)
    return reply.tell('Flagging needs a comment: type what was wrong under Flag…, then press Flag.');
  const result = await deps.port.followUp(person, click.actionId, decision, comment);
  const done = decision === 'flag' ? 'flagged' : 'signed off';
  if (!result.ok) return reply.tell(`Not ${done}: ${result.message}`);
  return reply.show(
    result.request,
    `You ${done} the break-glass of ${result.request.action} (${result.request.id}).`,
  );
}
