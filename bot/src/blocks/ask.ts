import type { ActionRequest } from '@countersign/shared';
import type { ModalView } from '@slack/types';
import { requestInWords, textModal } from './text-modal';

export const ASK_ACTION = 'countersign.ask';
export const ASK_MODAL = 'countersign.ask_modal';
export const QUESTION_BLOCK = 'question';
export const QUESTION_INPUT = 'question_input';

/** "Ask…": a reviewer's question to the requester's side instead of a decision. */
export function askModal(request: ActionRequest): ModalView {
  return textModal({
    request,
    callbackId: ASK_MODAL,
    title: 'Ask the requester',
    submit: 'Ask',
    intro: `Ask about ${requestInWords(request)} before deciding. It is threaded under the request for the requester (or the agent’s owner) to answer; the request stays pending.`,
    block: QUESTION_BLOCK,
    input: QUESTION_INPUT,
    label: 'Your question',
  });
}
