import type { ActionRequest } from '@countersign/shared';
import { truncate } from '../../present';
import { type Card, requestCard, threadText, when } from './request-card';

/**
 * The card each approver gets 1:1 when the glass is broken (Slack's DM with Sign off / Flag…): who
 * broke it and why, when the follow-up falls due, then the request's own card, which carries Sign off
 * and Flag… while the follow-up is open. A click on it goes to the same card forms as the channel's.
 * Once the follow-up closes (`action.follow_up`), the same card is drawn again saying who closed it,
 * and without the buttons.
 */
export function breakGlassCard(
  request: ActionRequest,
  payload: Record<string, unknown>,
  consoleUrl?: string | undefined,
  event: 'action.break_glass' | 'action.follow_up' = 'action.break_glass',
): Card {
  const card = requestCard(request, { consoleUrl });
  const said = threadText(event, payload, request) ?? '🚨 **Break-glass**';
  const due =
    event === 'action.break_glass' && typeof payload.followUpDueAt === 'number'
      ? ` Follow-up review due ${when(new Date(payload.followUpDueAt).toISOString())}.`
      : '';
  const notice = {
    type: 'TextBlock',
    text: truncate(`${said}${due}`, 2000),
    wrap: true,
    ...(event === 'action.break_glass' && { color: 'Attention' }),
  };
  return { ...card, body: [notice, ...(Array.isArray(card.body) ? card.body : [])] };
}
