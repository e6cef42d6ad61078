import type { ActionRequest } from '@countersign/shared';
import type { ModalView } from '@slack/types';
import { escapeMrkdwn, truncate } from './format';

export const DENY_MODAL = 'countersign.deny_modal';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason_input';

/** The modal a Deny click opens: a deny needs a reason. Carries the request id in private_metadata. */
export function denyModal(request: ActionRequest, origin?: { channel: string; ts: string }): ModalView {
  return {
    type: 'modal',
    callback_id: DENY_MODAL,
    private_metadata: JSON.stringify({ id: request.id, ...(origin && { origin }) }),
    title: { type: 'plain_text', text: 'Deny request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(
            `Deny \`${escapeMrkdwn(request.action)}\`${request.resource ? ` on \`${escapeMrkdwn(request.resource)}\`` : ''}, requested by \`${escapeMrkdwn(request.requester.id)}\`?`,
            2900,
          ),
        },
      },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Reason (shown to the requester)' },
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT,
          multiline: true,
          min_length: 1,
          max_length: 2000,
        },
      },
    ],
  };
}
