import type { ActionRequest } from '@countersign/shared';
import { Activity } from '@microsoft/agents-activity';
import { INVOKE_RESPONSE_KEY, type TurnContext } from '@microsoft/agents-hosting';
import { decidedLine, notDecided } from '../../present';
import { APPROVE_VERB, cardAttachment, DENY_VERB, requestCard } from '../cards/request-card';
import type { TeamsDeps } from '../deps';
import { isFormVerb, onFormAction } from './card-forms';
import type { Click, Reply } from './click';
import { personOf } from './person';

/** Answers an Action.Execute: a card replaces the clicker's view, a message is shown to them alone. */
function answer(context: TurnContext, value: Record<string, unknown>): void {
  context.turnState.set(INVOKE_RESPONSE_KEY, { type: 'invokeResponse', value: { status: 200, body: value } });
}
const message = (text: string) => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.activity.message',
  value: text,
});

/**
 * A button on a card. Approve and Deny here; the forms (amend, standing, ask, answer, break-glass,
 * follow-up, revoke) in card-forms. The core decides (self-approval, strangers, double clicks and expiry are
 * refused there, in words, and audited); then the card is replaced for everyone: the invoke response
 * for the clicker and a PUT of the card's activity for the rest of the channel.
 */
export async function onCardAction(
  deps: TeamsDeps,
  context: TurnContext,
  click: Click,
  invoke: boolean,
): Promise<void> {
  const reply = replies(deps, context, invoke);
  if (isFormVerb(click.verb)) return onFormAction(deps, context, click, reply);
  if (click.verb !== APPROVE_VERB && click.verb !== DENY_VERB)
    return reply.tell('Countersign does not know that button.');
  const decision = click.verb === APPROVE_VERB ? 'approve' : 'deny';
  if (decision === 'deny' && !click.reason)
    return reply.tell('A deny needs a reason: type it under Deny, then press Deny.');
  const who = await personOf(deps, context);
  if (!who.ok) return reply.tell(who.why);
  // A card drawn before buttons carried the digest names no version; any other value goes to the core as is.
  const seen = click.data.digest;
  const extras = typeof seen === 'string' ? { digest: seen } : undefined;
  const result = await deps.port.review(who.person, click.actionId, decision, click.reason, extras);
  if (!result.ok) return reply.tell(notDecided(decision, result.message));
  await reply.show(result.request, decidedLine(decision, result.request));
}

function replies(deps: TeamsDeps, context: TurnContext, invoke: boolean): Reply {
  const tell = async (text: string) => {
    if (invoke) answer(context, message(text));
    else await context.sendActivity(text);
  };
  return { tell, show: (request, line, side) => showRequest(deps, context, invoke, request, line, side) };
}

async function showRequest(
  deps: TeamsDeps,
  context: TurnContext,
  invoke: boolean,
  request: ActionRequest,
  line: string,
  side?: 'approvers' | 'requester',
): Promise<void> {
  const review = request.status === 'pending' ? await deps.port.reviewOptions(request.id) : undefined;
  // A channel's card is everyone's: only a 1:1 chat's card may become one side's view.
  const personal = context.activity.conversation?.conversationType === 'personal';
  const card = requestCard(request, {
    consoleUrl: deps.config.publicUrl,
    review,
    ...(personal && side && { side }),
  });
  const cardId = context.activity.replyToId;
  if (cardId) {
    const update = Activity.fromObject({
      type: 'message',
      id: cardId,
      conversation: context.activity.conversation,
      serviceUrl: context.activity.serviceUrl,
      attachments: [cardAttachment(card)],
    });
    // The outbox updates the card too (after every change); this makes the click visible at once.
    await context
      .updateActivity(update)
      .catch((error: unknown) =>
        deps.log.warn(
          { err: String(error) },
          'could not replace a Teams card after a click; the outbox will',
        ),
      );
  }
  if (invoke)
    answer(context, { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
  else await context.sendActivity(line);
}
