import type { ActionRequest } from '@countersign/shared';
import type { KnownBlock, ModalView } from '@slack/types';
import { inert, type Mentions, slackDate, truncate, who } from './format';
import { requestInWords, textModal } from './text-modal';

export const SIGN_OFF_ACTION = 'countersign.sign_off';
export const FLAG_ACTION = 'countersign.flag';
export const FLAG_MODAL = 'countersign.flag_modal';
export const FLAG_BLOCK = 'flag_comment';
export const FLAG_INPUT = 'flag_comment_input';

/** Whether the break-glass still waits for its follow-up review (only an offer: the core checks). */
export const followUpOpen = (request: ActionRequest): boolean =>
  request.breakGlass?.followUp?.status === 'open';

/** Whether an approver signed off or flagged the break-glass (not merely: no follow-up is open). */
export const followUpClosed = (request: ActionRequest): boolean => {
  const status = request.breakGlass?.followUp?.status;
  return status !== undefined && status !== 'open';
};

/**
 * "Sign off" (one click, behind Slack's confirm dialog) and "Flag…" (a modal asking what was wrong), for
 * the approvers of a break-glass. The core refuses the requester's side and anyone outside the groups.
 */
export function followUpButtons(request: ActionRequest): KnownBlock {
  return {
    type: 'actions',
    block_id: `follow_up:${request.id}`,
    elements: [
      {
        type: 'button',
        action_id: SIGN_OFF_ACTION,
        style: 'primary',
        text: { type: 'plain_text', text: 'Sign off' },
        value: request.id,
        confirm: {
          title: { type: 'plain_text', text: 'Sign off this break-glass?' },
          text: {
            type: 'plain_text',
            // A confirm dialog's text holds at most 300 characters.
            text: truncate(
              `You agree ${request.action} was right to approve without a review. It leaves every approver's queue.`,
              300,
            ),
          },
          confirm: { type: 'plain_text', text: 'Sign off' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
      {
        type: 'button',
        action_id: FLAG_ACTION,
        style: 'danger',
        text: { type: 'plain_text', text: 'Flag…' },
        value: request.id,
      },
    ],
  };
}

/**
 * The break-glass line threaded under the request and sent to each approver: with the follow-up buttons
 * while the review is open; once closed, who closed it, how and when in their place (the same content
 * rewrites every earlier copy, so a click on a stale button is never offered).
 */
export function breakGlassReply(
  text: string,
  request: ActionRequest,
  mentions: Mentions,
): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }];
  if (followUpOpen(request)) return { text, blocks: [...blocks, followUpButtons(request)] };
  const closed = followUpClosedLine(request, mentions);
  if (!closed) return { text, blocks };
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(closed, 2900) } });
  return { text: truncate(`${text}\n${closed}`, 3000), blocks };
}

/** "Signed off by @alice · <date>", or "Flagged by @bob · <date>: “comment”"; none while the review is open. */
export function followUpClosedLine(request: ActionRequest, mentions: Mentions): string | undefined {
  const followUp = request.breakGlass?.followUp;
  if (!followUp || followUp.status === 'open') return undefined;
  const by = followUp.by ? who(followUp.by, mentions) : 'an approver';
  const when = followUp.at ? ` · ${slackDate(followUp.at)}` : '';
  return followUp.status === 'flagged'
    ? `:triangular_flag_on_post: Follow-up review: *flagged* by ${by}${when}${followUp.comment ? `: “${inert(followUp.comment, 1500)}”` : ''}`
    : `:white_check_mark: Follow-up review: *signed off* by ${by}${when}`;
}

/** "Flag…": what was wrong with the break-glass (required: a flag says why). */
export function flagModal(request: ActionRequest): ModalView {
  return textModal({
    request,
    callbackId: FLAG_MODAL,
    title: 'Flag a break-glass',
    submit: 'Flag',
    intro: `Flag the break-glass of ${requestInWords(request)}: it was not right to approve it without a review.`,
    block: FLAG_BLOCK,
    input: FLAG_INPUT,
    label: 'What was wrong (recorded in the audit log and threaded under the request)',
  });
}
