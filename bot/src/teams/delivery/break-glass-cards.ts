import type { ActionRequest } from '@countersign/shared';
import { Activity } from '@microsoft/agents-activity';
import { HttpError } from '@microsoft/agents-hosting';
import type { Logger } from 'pino';
import type { Delivery } from '../../port';
import { breakGlassCard } from '../cards/break-glass-card';
import { cardAttachment } from '../cards/request-card';
import { connectorClient, type OneToOneDeps, sendOneToOne } from './one-to-one';

/**
 * Not a core event: one delivery per approver, queued by the `action.break_glass` delivery, that tells
 * that approver 1:1 (each leased, retried and sent on its own; see TeamsPort.queueNotices).
 */
export const BREAK_GLASS_NOTICE = 'teams.break_glass_notice';

type Deps = OneToOneDeps & { log: Logger };

// What Teams refuses for good (the app removed, the user or chat gone, a card too large): retrying
// would only hold up the request's later deliveries (a sign-off's thread reply) behind this one.
const refusedForGood = (error: unknown): error is HttpError =>
  error instanceof HttpError && [403, 404, 413].includes(error.status);

/** Loudly, at once, as Slack's DMs: every approver 1:1, the requester's side never (port.deciders). */
export const queueApproverCards = (deps: Deps, delivery: Delivery, request: ActionRequest): Promise<void> =>
  deps.port.queueNotices(delivery, BREAK_GLASS_NOTICE, deps.port.deciders(request));

/**
 * One approver's break-glass card, 1:1, with Sign off / Flag… while the follow-up is open; kept (while
 * open) so it loses its buttons when the follow-up closes. Someone the bot has never met is skipped.
 */
export async function sendApproverCard(
  deps: Deps,
  delivery: Delivery,
  request: ActionRequest,
): Promise<void> {
  const to = delivery.payload.to;
  if (typeof to !== 'string') return;
  const card = breakGlassCard(request, delivery.payload, deps.config.publicUrl);
  const message = {
    type: 'message',
    summary: `Break-glass: ${request.action}`.slice(0, 200),
    attachments: [cardAttachment(card)],
  };
  try {
    const sent = await sendOneToOne(deps, to, message);
    if (sent && request.breakGlass?.followUp?.status === 'open')
      await deps.port.saveFollowUpCard(request.id, sent);
  } catch (error) {
    if (!refusedForGood(error)) throw error;
    deps.log.warn(
      { actionId: request.id, err: `HTTP ${error.status}` },
      'Teams refused an approver’s break-glass card for good; not retried (the thread, the API and their queue still show it)',
    );
  }
}

/**
 * The follow-up closed: each approver's 1:1 card is drawn again saying who closed it, without Sign off
 * / Flag…, then forgotten, so a retry of this delivery rewrites only the ones still left. A card Teams
 * no longer has (404) is forgotten as is.
 */
export async function closeApproverCards(
  deps: Deps,
  delivery: Delivery,
  request: ActionRequest,
): Promise<void> {
  if (request.breakGlass?.followUp?.status === 'open') return;
  const card = breakGlassCard(request, delivery.payload, deps.config.publicUrl, 'action.follow_up');
  for (const ref of await deps.port.followUpCardsOf(request.id)) {
    const client = await connectorClient(deps.tokens, ref.serviceUrl);
    const update = Activity.fromObject({
      type: 'message',
      id: ref.activityId,
      attachments: [cardAttachment(card)],
    });
    try {
      await client.updateActivity(ref.conversationId, ref.activityId, update);
    } catch (error) {
      if (!refusedForGood(error)) throw error;
      deps.log.warn(
        { actionId: request.id, err: `HTTP ${error.status}` },
        'Teams refused to rewrite an approver’s break-glass card; it keeps its buttons (a click is refused in words)',
      );
    }
    await deps.port.forgetFollowUpCard(request.id, ref);
  }
}
