import type { ActionRequest } from '@countersign/shared';
import type { KnownBlock } from '@slack/types';
import type { ReviewOptions } from '../port';
import { conditionWords, outcomeSentence, RISK_WORDS } from '../present';
import { standingDefault } from './approve-modals';
import { ASK_ACTION } from './ask';
import { breakGlassBlocks, breakGlassOpen } from './break-glass';
import { decisionValue } from './decision-value';
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
/** A link button: Slack still sends its click to the app, which must acknowledge it. */
export const OPEN_ACTION = 'countersign.open';
/** Approve on a request whose rule asks for a step-up: a link to the console, never a decision here. */
export const STEP_UP_ACTION = 'countersign.step_up';
/** "Approve with changes…" and "Approve for 1h…": shown only where the request's rule allows them. */
export const AMEND_ACTION = 'countersign.amend';
export const STANDING_ACTION = 'countersign.standing';

const EMOJI: Record<string, string> = {
  approved: ':white_check_mark:',
  allowed: ':white_check_mark:',
  denied: ':x:',
  blocked: ':no_entry:',
  expired: ':hourglass:',
  cancelled: ':leftwards_arrow_with_hook:',
};

const RISK_EMOJI: Record<NonNullable<ActionRequest['risk']>, string> = {
  low: ':large_green_circle:',
  medium: ':large_yellow_circle:',
  high: ':large_orange_circle:',
  critical: ':red_circle:',
};

/** The extra approvals the rule allows; none under a step-up, which only the console can finish. */
function extraButtons(request: ActionRequest, options: ReviewOptions | undefined) {
  if (!options || request.stepUp) return [];
  const button = (action_id: string, text: string) => ({
    type: 'button' as const,
    action_id,
    text: { type: 'plain_text' as const, text },
    value: request.id,
  });
  return [
    // Earlier approvals were given to the submitted params: the core refuses amending after them.
    ...(options.amend && request.approvals.received === 0
      ? [button(AMEND_ACTION, 'Approve with changes…')]
      : []),
    ...(options.standing
      ? [button(STANDING_ACTION, `Approve for ${standingDefault(options.standing)}…`)]
      : []),
  ];
}

export function decisionButtons(
  request: ActionRequest,
  consoleUrl?: string,
  options?: ReviewOptions,
): KnownBlock {
  // With COUNTERSIGN_PUBLIC_URL set, the whole request (params unfolded, timeline) is one click away.
  const open = consoleUrl
    ? [
        {
          type: 'button' as const,
          action_id: OPEN_ACTION,
          text: { type: 'plain_text' as const, text: 'Open in Countersign' },
          url: `${consoleUrl}/requests/${encodeURIComponent(request.id)}`,
        },
      ]
    : [];
  return {
    type: 'actions',
    block_id: `decide:${request.id}`,
    elements: [
      // A step-up (MFA, a passkey) happens in the console: Slack's click alone must not approve.
      request.stepUp && consoleUrl
        ? {
            type: 'button',
            action_id: STEP_UP_ACTION,
            style: 'primary',
            text: {
              type: 'plain_text',
              text: request.stepUp === 'mfa' ? 'Approve (MFA)' : 'Approve (passkey)',
            },
            url: `${consoleUrl}/requests/${encodeURIComponent(request.id)}/step-up`,
            value: request.id,
          }
        : {
            type: 'button',
            action_id: APPROVE_ACTION,
            style: 'primary',
            text: { type: 'plain_text', text: 'Approve' },
            value: decisionValue(request),
          },
      {
        type: 'button',
        action_id: DENY_ACTION,
        style: 'danger',
        text: { type: 'plain_text', text: 'Deny' },
        value: decisionValue(request),
      },
      ...extraButtons(request, options),
      // A question instead of a decision: whoever may review may ask (the core checks who).
      {
        type: 'button',
        action_id: ASK_ACTION,
        text: { type: 'plain_text', text: 'Ask…' },
        value: request.id,
      },
      ...open,
    ],
  };
}

export function outcomeLine(request: ActionRequest, mentions: Mentions): string {
  const sentence = outcomeSentence(request, { who: (p) => who(p, mentions), inert });
  const emoji = EMOJI[request.status];
  return emoji ? `${emoji} ${sentence}` : sentence;
}

/**
 * The message approvers see: what, by whom, why, where from, the params (masked and truncated), the
 * rule, the quorum and the deadline; buttons while pending, the outcome once decided. Every field is
 * bounded, so no request can push the message past Slack's limits.
 */
export function requestMessage(
  request: ActionRequest,
  mentions: Mentions = {},
  consoleUrl?: string,
  options?: ReviewOptions,
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
    ...(request.risk ? [`*Risk*\n${RISK_EMOJI[request.risk]} ${RISK_WORDS[request.risk]}`] : []),
    `*Approvals*\n${request.approvals.received} of ${request.approvals.required}`,
    `*Expires*\n${request.expiresAt ? slackDate(request.expiresAt) : '—'}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  const because = conditionWords(request);
  if (because) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Held because*\n${inert(because, 1000)}` },
    });
  }
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
  if (request.status === 'pending') blocks.push(decisionButtons(request, consoleUrl, options));
  if (breakGlassOpen(request)) blocks.push(...breakGlassBlocks(request, consoleUrl));
  if (request.status !== 'pending')
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(outcomeLine(request, mentions), 2900) },
    });
  const text = inert(`${title}${target ? ` (${target})` : ''} [${shortId(request.id)}]`, 3000);
  return { text, blocks };
}
