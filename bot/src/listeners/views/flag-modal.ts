import type { App } from '@slack/bolt';
import { FLAG_BLOCK, FLAG_INPUT, FLAG_MODAL } from '../../blocks/follow-up';
import type { BotDeps } from '../../deps';
import { onTextModal } from './text-modal';

/** The Flag modal's submission: the follow-up verb flags the break-glass, with the comment, or refuses. */
export function register(app: App, deps: BotDeps): void {
  onTextModal(app, deps, {
    callbackId: FLAG_MODAL,
    block: FLAG_BLOCK,
    input: FLAG_INPUT,
    empty: 'Say what was wrong: a flag needs a comment.',
    refused: 'Not flagged',
    run: (person, id, comment) => deps.port.followUp(person, id, 'flag', comment),
  });
}
