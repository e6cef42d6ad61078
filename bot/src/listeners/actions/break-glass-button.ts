import type { App } from '@slack/bolt';
import { BREAK_GLASS_ACTION, breakGlassModal, breakGlassOpen } from '../../blocks/break-glass';
import type { BotDeps } from '../../deps';
import { openModalFor } from './open-modal';

/**
 * "Break glass…" on a request's message or on the requester's Home: opens the reason modal while the
 * rule allows it and the request is pending. Who may break it is the core's to say, on submission.
 */
export function register(app: App, deps: BotDeps): void {
  openModalFor(app, deps, BREAK_GLASS_ACTION, (request) => {
    if (breakGlassOpen(request)) return breakGlassModal(request);
    if (!request.breakGlass)
      return "This request's rule does not allow break-glass: it needs an approver's review.";
    return `This request is ${request.status}: there is no glass left to break.`;
  });
}
