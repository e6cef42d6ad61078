import type { ActionRequest } from '@countersign/shared';
import type { ModalView } from '@slack/types';
import { escapeMrkdwn, truncate } from './format';

export const DENY_MODAL = 'countersign.deny_modal';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason_input';

/**
 * The modal a Deny click opens: a deny needs a reason. Carries the request id in private_metadata, and
 * `digest`, the version the clicked message showed, when it named one.
 */
export function denyModal(
  request: ActionRequest,
  origin?: { channel: string; ts: string },
  digest?: string,
): ModalView {
  return {
    type: 'modal',
    callback_id: DENY_MODAL,
    private_metadata: JSON.stringify({
      id: request.id,
      ...(origin && { origin }),
      ...(digest !== undefined && { digest }),
    }),
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

/** The version a Deny modal was opened on (its `digest`), if the click named one. */
export function deniedVersion(privateMetadata: string): { digest: string } | undefined {
  try {
    const digest: unknown = (JSON.parse(privateMetadata) as { digest?: unknown }).digest;
    return typeof digest === 'string' ? { digest } : undefined;
  } catch {
    return undefined;
  }
}
