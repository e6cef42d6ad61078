import { Activity } from '@microsoft/agents-activity';
import { INVOKE_RESPONSE_KEY, type TurnContext } from '@microsoft/agents-hosting';
import { decidedLine, notDecided } from '../../present';
import { APPROVE_VERB, cardAttachment, DENY_VERB, REASON_INPUT, requestCard } from '../cards/request-card';
import type { TeamsDeps } from '../deps';
import { personOf } from './person';

type Click = { verb: string; actionId: string; reason: string | undefined };

/** The verb, request and reason of an Action.Execute (invoke) or its Action.Submit fallback (message). */
export function clickOf(value: unknown): Click | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { action?: { verb?: unknown; data?: unknown }; verb?: unknown };
  const data = (v.action?.data ?? value) as Record<string, unknown>;
  const verb = v.action?.verb ?? v.verb ?? data.verb;
  if (typeof verb !== 'string' || typeof data.actionId !== 'string') return undefined;
  const reason = typeof data[REASON_INPUT] === 'string' ? (data[REASON_INPUT] as string).trim() : undefined;
  return { verb, actionId: data.actionId, reason: reason || undefined };
}

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
 * Approve or Deny on a card. The core decides (self-approval, strangers, double clicks and expiry are
 * refused there, in words, and audited); then the card is replaced for everyone: the invoke response
 * for the clicker and a PUT of the card's activity for the rest of the channel.
 */
export async function onCardAction(
  deps: TeamsDeps,
  context: TurnContext,
  click: Click,
  invoke: boolean,
): Promise<void> {
  const tell = async (text: string) => {
    if (invoke) answer(context, message(text));
    else await context.sendActivity(text);
  };
  if (click.verb !== APPROVE_VERB && click.verb !== DENY_VERB)
    return tell('Countersign does not know that button.');
  const decision = click.verb === APPROVE_VERB ? 'approve' : 'deny';
  if (decision === 'deny' && !click.reason)
    return tell('A deny needs a reason: type it under Deny, then press Deny.');
  const who = await personOf(deps, context);
  if (!who.ok) return tell(who.why);
  const result = await deps.port.review(who.person, click.actionId, decision, click.reason);
  if (!result.ok) return tell(notDecided(decision, result.message));
  const card = requestCard(result.request, { consoleUrl: deps.config.publicUrl });
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
  else await context.sendActivity(decidedLine(decision, result.request));
}
