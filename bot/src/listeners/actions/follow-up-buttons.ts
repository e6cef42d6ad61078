import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { FLAG_ACTION, flagModal, followUpOpen, SIGN_OFF_ACTION } from '../../blocks/follow-up';
import { type BotDeps, tell } from '../../deps';
import { openModalFor } from './open-modal';
import { origin } from './origin';

/**
 * A break-glass's follow-up review, on its thread post and on the approvers' Home: "Sign off" decides at
 * once (Slack's confirm dialog came first), "Flag…" opens a modal for the required comment. The core
 * refuses the requester's side, anyone outside the approver groups, and a follow-up already closed.
 */
export function register(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(SIGN_OFF_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const where = origin(body);
    const person = await deps.identity.person(body.user.id);
    if (!person) return tell(deps, client, where, deps.identity.refusal(body.user.id));
    const result = await deps.port.followUp(person, action.value ?? '', 'sign_off');
    const home = where.fromHome ? person : undefined;
    if (!result.ok)
      return tell(deps, client, { ...where, person: home }, `Not signed off: ${result.message}`);
    // The thread line and every approver's Home follow from the outbox; the clicker's own tab at once.
    if (home) return deps.home.publish(home);
    return tell(
      deps,
      client,
      where,
      `You signed off the break-glass of ${result.request.action} (${result.request.id}).`,
    );
  });

  openModalFor(app, deps, FLAG_ACTION, (request) =>
    followUpOpen(request)
      ? flagModal(request)
      : 'This break-glass has no open follow-up review: it was signed off or flagged already.',
  );
}
