import type { ActionRequest } from '@countersign/shared';
import { formatDuration } from '@countersign/shared/policy';
import type { Button, KnownBlock, ModalView } from '@slack/types';
import { escapeMrkdwn } from './format';
import { requestInWords, textModal } from './text-modal';

export const BREAK_GLASS_ACTION = 'countersign.break_glass';
export const BREAK_GLASS_MODAL = 'countersign.break_glass_modal';
export const GLASS_REASON_BLOCK = 'glass_reason';
export const GLASS_REASON_INPUT = 'glass_reason_input';

/** The core's minimum (BreakGlassInput); Slack enforces it in the modal too, before anything is sent. */
const MIN_REASON = 20;

/**
 * Whether to offer break-glass on this request: pending, under a rule that allows it, not yet used.
 * Only an offer: the core refuses anyone but the requester's side, and a rule that does not say so.
 */
export const breakGlassOpen = (request: ActionRequest): boolean =>
  request.status === 'pending' && request.breakGlass !== undefined && request.breakGlass.by === undefined;

export const breakGlassButton = (request: ActionRequest): Button => ({
  type: 'button',
  action_id: BREAK_GLASS_ACTION,
  style: 'danger',
  text: { type: 'plain_text', text: 'Break glass…' },
  value: request.id,
});

/** Under the request's message: for the requester's side only, which the line says (the core enforces it). */
export function breakGlassBlocks(request: ActionRequest): KnownBlock[] {
  return [
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'No approver reachable? The requester (or the agent’s owner) may break the glass: approved at once, broadcast, and reviewed after.',
        },
      ],
    },
    { type: 'actions', block_id: `glass:${request.id}`, elements: [breakGlassButton(request)] },
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
