import type { App } from '@slack/bolt';
import { BREAK_GLASS_MODAL, GLASS_REASON_BLOCK, GLASS_REASON_INPUT } from '../../blocks/break-glass';
import type { BotDeps } from '../../deps';
import { onTextModal } from './text-modal';

/**
 * The Break glass modal's submission: the break-glass verb checks the reason (at least 20 characters),
 * the rule and who may break it; a refusal stays in the modal, beside the reason.
 */
export function register(app: App, deps: BotDeps): void {
  onTextModal(app, deps, {
    callbackId: BREAK_GLASS_MODAL,
    block: GLASS_REASON_BLOCK,
    input: GLASS_REASON_INPUT,
    empty: 'Say why no approver could be reached.',
    refused: 'Not approved',
    run: (person, id, reason) => deps.port.breakGlass(person, id, reason),
  });
}
