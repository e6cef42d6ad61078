import type { ActionRequest } from '@countersign/shared';
import type { KnownBlock, ModalView } from '@slack/types';
import { escapeMrkdwn, inert, truncate } from './format';

export const ANSWER_ACTION = 'countersign.answer';
export const ANSWER_MODAL = 'countersign.answer_modal';
export const ANSWER_BLOCK = 'answer';
export const ANSWER_INPUT = 'answer_input';

/**
 * A reviewer's question as threaded under the request: its words and, while the request is pending,
 * an "Answer…" button (it opens a modal) for the requester's side (the core refuses anyone else's answer).
 */
export function questionReply(text: string, request: ActionRequest): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }];
  if (request.status === 'pending')
    blocks.push({
      type: 'actions',
      block_id: `answer:${request.id}`,
      elements: [
        {
          type: 'button',
          action_id: ANSWER_ACTION,
          text: { type: 'plain_text', text: 'Answer…' },
          value: request.id,
        },
      ],
    });
  return { text, blocks };
}

/** The Answer modal: the latest question, and the answer to write. Carries the request id. */
export function answerModal(request: ActionRequest): ModalView {
  const asked = [...(request.comments ?? [])].reverse().find((c) => c.role === 'reviewer');
  return {
    type: 'modal',
    callback_id: ANSWER_MODAL,
    private_metadata: JSON.stringify({ id: request.id }),
    title: { type: 'plain_text', text: 'Answer the question' },
    submit: { type: 'plain_text', text: 'Answer' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(
            `About \`${escapeMrkdwn(request.action)}\`${request.resource ? ` on \`${escapeMrkdwn(request.resource)}\`` : ''}${asked ? `, ${inert(asked.author, 200)} asked: “${inert(asked.comment, 2000)}”` : ''}`,
            2900,
          ),
        },
      },
      {
        type: 'input',
        block_id: ANSWER_BLOCK,
        label: { type: 'plain_text', text: 'Your answer (the request stays pending)' },
        element: {
          type: 'plain_text_input',
          action_id: ANSWER_INPUT,
          multiline: true,
          min_length: 1,
          // Slack's own limit for a text input (the API takes up to 4000).
          max_length: 3000,
        },
      },
    ],
  };
}
