import type { App } from '@slack/bolt';
import { ASK_ACTION, askModal } from '../../blocks/ask';
import type { BotDeps } from '../../deps';
import { openModalFor } from './open-modal';

/** "Ask…" beside Approve and Deny: opens the question modal while the request is pending. */
export function register(app: App, deps: BotDeps): void {
  openModalFor(app, deps, ASK_ACTION, (request) =>
    request.status === 'pending'
      ? askModal(request)
      : `This request is ${request.status}: there is nothing left to ask.`,
  );
}
