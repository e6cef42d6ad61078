import type { ActionRequest } from '@countersign/shared';
import type { KnownBlock } from '@slack/types';
import {
  escapeMrkdwn,
  inert,
  type Mentions,
  paramsPreview,
  requesterLine,
  shortId,
  slackDate,
  sourceLine,
  truncate,
  who,
} from './format';

export const APPROVE_ACTION = 'countersign.approve';
export const DENY_ACTION = 'countersign.deny';

const OUTCOME: Record<string, string> = {
  approved: ':white_check_mark: Approved',
  allowed: ':white_check_mark: Allowed by policy',
  denied: ':x: Denied',
  blocked: ':no_entry: Blocked by policy',
  expired: ':hourglass: Expired without a decision',
  cancelled: ':leftwards_arrow_with_hook: Cancelled by the requester',
};

export function decisionButtons(request: ActionRequest): KnownBlock {
  return {
    type: 'actions',
    block_id: `decide:${request.id}`,
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value: request.id,
      },
      {
        type: 'button',
        action_id: DENY_ACTION,
        style: 'danger',
        text: { type: 'plain_text', text: 'Deny' },
        value: request.id,
      },
    ],
  };
}

export function outcomeLine(request: ActionRequest, mentions: Mentions): string {
  const head = OUTCOME[request.status] ?? request.status;
  const approvers = request.reviews
    .filter((r) => r.decision === 'approve')
    .map((r) => who(r.reviewer, mentions));
  const denier = request.reviews.find((r) => r.decision === 'deny');
  if (request.status === 'approved') return `${head} by ${approvers.join(', ')}`;
  if (request.status === 'denied' && denier) {
    return `${head} by ${who(denier.reviewer, mentions)}: ${inert(denier.comment ?? '', 500)}`;
  }
  if (request.status === 'blocked' && request.reason) return `${head}: ${inert(request.reason, 500)}`;
  return head;
}

/**
 * The message approvers see: what, by whom, why, where from, the params (masked and truncated), the
 * rule, the quorum and the deadline; buttons while pending, the outcome once decided. Every field is
 * bounded, so no request can push the message past Slack's limits.
 */
export function requestMessage(
  request: ActionRequest,
  mentions: Mentions = {},
): { text: string; blocks: KnownBlock[] } {
  const target = [request.resource, request.environment].filter(Boolean).join(' in ');
  // The header is plain text (no markup); the fallback text below is what Slack notifies with.
  const title = truncate(`Approval needed: ${request.action}`, 150);
  const fields = [
    `*Action*\n\`${inert(request.action, 200)}\``,
    `*Resource*\n${request.resource ? `\`${inert(request.resource, 300)}\`` : '—'}`,
    `*Environment*\n${request.environment ? escapeMrkdwn(request.environment) : '—'}`,
    `*Requested by*\n${requesterLine(request, mentions)}`,
    `*From*\n${sourceLine(request)}`,
    `*Rule*\n\`${inert(request.rule.name, 100)}\``,
    `*Approvals*\n${request.approvals.received} of ${request.approvals.required}`,
    `*Expires*\n${request.expiresAt ? slackDate(request.expiresAt) : '—'}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (request.justification) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Why*\n${inert(request.justification, 2800)}` },
    });
  }
  const preview = paramsPreview(request.params);
  if (preview)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Params*\n\`\`\`${preview.replaceAll('`', "'")}\`\`\`` },
    });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `\`${request.id}\` · approvers: ${inert(request.approvers.join(', '), 300)}`,
      },
    ],
  });
  if (request.status === 'pending') blocks.push(decisionButtons(request));
  else
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(outcomeLine(request, mentions), 2900) },
    });
  const text = inert(`${title}${target ? ` (${target})` : ''} [${shortId(request.id)}]`, 3000);
  return { text, blocks };
}
