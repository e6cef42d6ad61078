import type { ActionRequest } from '@countersign/shared';
import type { ModalView } from '@slack/types';
import { escapeMrkdwn, truncate } from './format';

/** `action` on `resource`, requested by `who`: the request a modal is about, in one line. */
export const requestInWords = (request: ActionRequest): string =>
  `\`${escapeMrkdwn(request.action)}\`${request.resource ? ` on \`${escapeMrkdwn(request.resource)}\`` : ''}, requested by \`${escapeMrkdwn(request.requester.id)}\``;

/**
 * A modal that asks one thing in words about one request (a question, a flag's comment, a break-glass
 * reason). Carries the request id in private_metadata; `block` names the input, so a submission's
 * refusal can be shown beside it (`response_action: errors`).
 */
export function textModal(spec: {
  request: ActionRequest;
  callbackId: string;
  title: string;
  submit: string;
  intro: string;
  block: string;
  input: string;
  label: string;
  hint?: string;
  minLength?: number;
}): ModalView {
  return {
    type: 'modal',
    callback_id: spec.callbackId,
    private_metadata: JSON.stringify({ id: spec.request.id }),
    // Slack's limits: a modal's title and buttons at most 24 characters, a label 2000, a hint 2000.
    title: { type: 'plain_text', text: truncate(spec.title, 24) },
    submit: { type: 'plain_text', text: truncate(spec.submit, 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(spec.intro, 2900) } },
      {
        type: 'input',
        block_id: spec.block,
        label: { type: 'plain_text', text: truncate(spec.label, 2000) },
        ...(spec.hint && { hint: { type: 'plain_text' as const, text: truncate(spec.hint, 2000) } }),
        element: {
          type: 'plain_text_input',
          action_id: spec.input,
          multiline: true,
          min_length: spec.minLength ?? 1,
          // Slack's own limit for a text input (the API takes up to 4000).
          max_length: 3000,
        },
      },
    ],
  };
}

/** The request id a modal carries, or undefined when its metadata is damaged. */
export function requestIdOf(privateMetadata: string): string | undefined {
  try {
    const parsed = JSON.parse(privateMetadata) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id !== '' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

/** What a modal's input holds on submission, trimmed ('' when absent). */
export function submitted(
  values: Record<string, Record<string, { value?: string | null | undefined }>>,
  block: string,
  input: string,
): string {
  return values[block]?.[input]?.value?.trim() ?? '';
}
