import type { App } from '@slack/bolt';
import { ASK_MODAL, QUESTION_BLOCK, QUESTION_INPUT } from '../../blocks/ask';
import type { BotDeps } from '../../deps';
import { onTextModal } from './text-modal';

/** The Ask modal's submission: the review verb's `ask` decides who may ask; the request stays pending. */
export function register(app: App, deps: BotDeps): void {
  onTextModal(app, deps, {
    callbackId: ASK_MODAL,
    block: QUESTION_BLOCK,
    input: QUESTION_INPUT,
    empty: 'Write the question.',
    refused: 'Not asked',
    run: (person, id, question) => deps.port.ask(person, id, question),
  });
}
