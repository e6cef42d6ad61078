import type { App } from '@slack/bolt';
import { ANSWER_BLOCK, ANSWER_INPUT, ANSWER_MODAL } from '../../blocks/answer';
import type { BotDeps } from '../../deps';
import { onTextModal } from './text-modal';

/** The Answer modal's submission: the answer verb decides who may answer; a refusal shows in the modal. */
export function register(app: App, deps: BotDeps): void {
  onTextModal(app, deps, {
    callbackId: ANSWER_MODAL,
    block: ANSWER_BLOCK,
    input: ANSWER_INPUT,
    empty: 'Write an answer.',
    refused: 'Not answered',
    run: (person, id, answer) => deps.port.answer(person, id, answer),
  });
}
