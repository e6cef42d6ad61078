import type { App } from '@slack/bolt';
import { DENY_MODAL, deniedVersion, REASON_BLOCK, REASON_INPUT } from '../../blocks/deny-modal';
import type { BotDeps } from '../../deps';
import { onTextModal } from './text-modal';

/** The Deny modal's submission: a reason is required; a refusal is shown in the modal itself. */
export function register(app: App, deps: BotDeps): void {
  onTextModal(app, deps, {
    callbackId: DENY_MODAL,
    block: REASON_BLOCK,
    input: REASON_INPUT,
    empty: 'Say why, so the requester can change course.',
    refused: 'Not denied',
    // Refused when the request was amended after the message the Deny was clicked on.
    run: (person, id, reason, metadata) =>
      deps.port.review(person, id, 'deny', reason, deniedVersion(metadata)),
  });
}
