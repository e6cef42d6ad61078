import type { Outcome, TeamsPerson, TeamsPort } from '@countersign/bot';
import { BreakGlassInput, CommentInput, FollowUpInput } from '@countersign/shared';
import type { z } from 'zod';
import { chatReview, outboxSink, outcome, requestOf, schemaRefusal } from '../chat/chat-port';
import type { Actor } from '../context';
import { answerQuestion } from '../services/actions/answer-question';
import { breakGlass } from '../services/actions/break-glass';
import { findAction } from '../services/actions/find-action';
import { followUp } from '../services/actions/follow-up';
import { listStanding } from '../services/actions/list-standing';
import { reviewOptions } from '../services/actions/review-options';
import { reviewQueue } from '../services/actions/review-queue';
import { revokeStanding } from '../services/actions/revoke-standing';
import type { Core } from '../services/core';
import { usableEmail } from '../services/identity/usable-email';
import { issuePairingCode } from '../services/pairing/pairing-codes';
import {
  linkTeamsUser,
  saveTeam,
  saveTeamsCard,
  teamNamed,
  teamsCardOf,
  teamsChannelOf,
  teamsUserOf,
} from '../services/teams/teams-links';

export const TEAMS_SINK = 'teams';

// The bot normalises the email Graph gives; the core checks again, so no transport can hand it a look-alike.
const asPerson = (p: TeamsPerson): Actor => {
  const email = usableEmail(p.email, 'email');
  return { kind: 'person', via: 'teams', id: `user:${email}`, email, aadObjectId: p.aadObjectId };
};

/**
 * A card's input checked by the API's own schema for that verb (lengths, a break-glass reason's 20
 * characters, a flag's comment), then the verb; a refusal names the field at fault, like chatReview's.
 */
async function checked<S extends z.ZodType, T extends object>(
  schema: S,
  value: unknown,
  run: (input: z.infer<S>) => Promise<T>,
): Promise<Outcome<T>> {
  const input = schema.safeParse(value);
  return input.success ? outcome(() => run(input.data)) : schemaRefusal(input.error, 'invalid input');
}

/** The approval core as the Teams bot sees it: the same verbs as Slack's port, acting as the Teams person. */
export function teamsPort(core: Core): TeamsPort {
  return {
    review: (person, id, decision, comment, extras) =>
      chatReview(core, asPerson(person), id, { decision, comment, extras }),
    ask: (person, id, question) =>
      chatReview(core, asPerson(person), id, { decision: 'ask', comment: question }),
    answer: (person, id, comment) =>
      checked(CommentInput, { comment }, async (input) => ({
        request: await answerQuestion({ ctx: { core, actor: asPerson(person) }, id, input }),
      })),
    breakGlass: (person, id, reason) =>
      checked(BreakGlassInput, { reason }, async (input) => ({
        request: await breakGlass({ ctx: { core, actor: asPerson(person) }, id, input }),
      })),
    followUp: (person, id, decision, comment) =>
      checked(FollowUpInput, { decision, ...(comment && { comment }) }, async (input) => ({
        request: await followUp({ ctx: { core, actor: asPerson(person) }, id, input }),
      })),
    revokeStanding: (person, standingId) =>
      outcome(async () => ({
        standing: await revokeStanding({ ctx: { core, actor: asPerson(person) }, id: standingId }),
      })),
    reviewOptions: (id) => reviewOptions(core, id),
    find: (person, idOrPrefix) =>
      outcome(async () => ({
        request: await findAction({ ctx: { core, actor: asPerson(person) }, idOrPrefix }),
      })),
    queue: async (person) => {
      const ctx = { core, actor: asPerson(person) };
      return { ...(await reviewQueue({ ctx })), standing: await listStanding({ ctx }) };
    },
    pairingCode: (person) => issuePairingCode({ ctx: { core, actor: asPerson(person) } }),
    get: (id) => requestOf(core, id),
    teamsChannelOf: (actionId) => teamsChannelOf(core, actionId),
    ...outboxSink(core, TEAMS_SINK),
    cardOf: (actionId) => teamsCardOf(core, actionId),
    saveCard: (actionId, ref) => saveTeamsCard(core, actionId, ref),
    linkTeamsUser: (person) => linkTeamsUser(core, person.email, person),
    teamsUserOf: (email) => teamsUserOf(core, email),
    saveTeam: (team) => saveTeam(core, team),
    teamNamed: (name) => teamNamed(core, name),
  };
}
