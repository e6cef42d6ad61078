import type { ActionRequest } from '@countersign/shared';
import { truncate } from '../../present';
import { type Card, requestCard, threadText, when } from './request-card';

/**
 * The card each approver gets 1:1 when the glass is broken (Slack's DM with Sign off / Flag…): who
 * broke it and why, when the follow-up falls due, then the request's own card, which carries Sign off
 * and Flag… while the follow-up is open. A click on it goes to the same card forms as the channel's.
 */
export function breakGlassCard(
  request: ActionRequest,
  payload: Record<string, unknown>,
  consoleUrl?: string | undefined,
): Card {
  const card = requestCard(request, { consoleUrl });
  const said = threadText('action.break_glass', payload, request) ?? '🚨 **Break-glass**';
  const due =
    typeof payload.followUpDueAt === 'number'
      ? ` Follow-up review due ${when(new Date(payload.followUpDueAt).toISOString())}.`
      : '';
  const notice = {
    type: 'TextBlock',
    text: truncate(`${said}${due}`, 2000),
    wrap: true,
    color: 'Attention',
  };
  return { ...card, body: [notice, ...(Array.isArray(card.body) ? card.body : [])] };
}
