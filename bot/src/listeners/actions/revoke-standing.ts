import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { REVOKE_STANDING_ACTION } from '../../blocks/home';
import { homeAudience } from '../../delivery/slack-deliverer';
import { type BotDeps, tell } from '../../deps';
import { origin } from './origin';

/**
 * "Revoke" beside a live standing approval on the App Home (Slack's confirm dialog came first): the
 * revoke verb decides who may (an approver of its groups). Revoking queues nothing for Slack, so the
 * Homes that listed it are refreshed here: the clicker's, the approvers', and the requester's side.
 */
export function register(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(REVOKE_STANDING_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const where = origin(body);
    const person = await deps.identity.person(body.user.id);
    if (!person) return tell(deps, client, where, deps.identity.refusal(body.user.id));
    const result = await deps.port.revokeStanding(person, action.value ?? '');
    if (!result.ok)
      return tell(
        deps,
        client,
        { ...where, person: where.fromHome ? person : undefined },
        `Not revoked: ${result.message}`,
      );
    await deps.home.publish(person);
    const from = await deps.port.get(result.standing.fromRequest);
    if (!from) return;
    // The clicker's tab was published above; the rest of the request's audience is refreshed.
    await deps.home.refresh(homeAudience(deps.port, from).filter((e) => e !== person.email));
  });
}
