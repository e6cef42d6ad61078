import { type ActionRequest, BREAK_GLASS_MIN_REASON } from '@countersign/shared';
import { formatDuration } from '@countersign/shared/policy';
import type { Button, KnownBlock, ModalView } from '@slack/types';
import { escapeMrkdwn } from './format';
import { STEP_UP_ACTION } from './request-message';
import { requestInWords, textModal } from './text-modal';

export const BREAK_GLASS_ACTION = 'countersign.break_glass';
export const BREAK_GLASS_MODAL = 'countersign.break_glass_modal';
export const GLASS_REASON_BLOCK = 'glass_reason';
export const GLASS_REASON_INPUT = 'glass_reason_input';

/**
 * The core's minimum (BreakGlassInput); Slack enforces it in the modal too, before anything is sent,
 * though only the core counts visible characters (a reason of zero-width spaces is refused there).
 */
const MIN_REASON = BREAK_GLASS_MIN_REASON;

/**
 * Whether to offer break-glass on this request: pending, under a rule that allows it, not yet used.
 * Only an offer: the core refuses anyone but the requester's side, and a rule that does not say so.
 */
export const breakGlassOpen = (request: ActionRequest): boolean =>
  request.status === 'pending' && request.breakGlass !== undefined && request.breakGlass.by === undefined;

/**
 * Break glass…: the modal asking for the reason. Under a step-up rule (and with the console's URL
 * known) it is a link to the console's break-glass step-up page instead, as Approve is: the glass
 * breaks only after MFA or a passkey there, which Slack cannot do. Its click is acknowledged by the
 * step-up link's listener (the same action id, in its own block) and decides nothing.
 */
export const breakGlassButton = (request: ActionRequest, consoleUrl?: string): Button =>
  request.stepUp && consoleUrl
    ? {
        type: 'button',
        action_id: STEP_UP_ACTION,
        style: 'danger',
        text: {
          type: 'plain_text',
          text: request.stepUp === 'mfa' ? 'Break glass (MFA)…' : 'Break glass (passkey)…',
        },
        url: `${consoleUrl}/requests/${encodeURIComponent(request.id)}/step-up?for=break-glass`,
        value: request.id,
      }
    : {
        type: 'button',
        action_id: BREAK_GLASS_ACTION,
        style: 'danger',
        text: { type: 'plain_text', text: 'Break glass…' },
        value: request.id,
      };

/** Under the request's message: for the requester's side only, which the line says (the core enforces it). */
export function breakGlassBlocks(request: ActionRequest, consoleUrl?: string): KnownBlock[] {
  const how = request.stepUp ? ', after a step-up in the Countersign console' : '';
  return [
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `No approver reachable? The requester (or the agent’s owner) may break the glass${how}: approved at once, broadcast, and reviewed after.`,
        },
      ],
    },
    {
      type: 'actions',
      block_id: `glass:${request.id}`,
      elements: [breakGlassButton(request, consoleUrl)],
    },
  ];
}

/** The break-glass modal: what is approved, who is told, and the reason (at least 20 characters). */
export function breakGlassModal(request: ActionRequest): ModalView {
  const glass = request.breakGlass;
  const told = glass?.notify.length
    ? `${glass.notify.map(escapeMrkdwn).join(', ')} and every approver`
    : 'every approver';
  const within = glass ? ` within ${formatDuration(glass.reviewWithinMs)}` : '';
  return textModal({
    request,
    callbackId: BREAK_GLASS_MODAL,
    title: 'Break glass',
    submit: 'Break glass',
    intro: `Approve ${requestInWords(request)} yourself, because no approver can be reached. It is approved at once, told to ${told}, marked in the audit log, and an approver reviews it${within}.`,
    block: GLASS_REASON_BLOCK,
    input: GLASS_REASON_INPUT,
    label: 'Why no approver could be reached, and why it cannot wait',
    hint: `At least ${MIN_REASON} characters. Everyone told sees it.`,
    minLength: MIN_REASON,
  });
}
