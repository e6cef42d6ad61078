import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decidedOn } from '../../blocks/decision-value';
import { denyModal } from '../../blocks/deny-modal';
import { APPROVE_ACTION, DENY_ACTION } from '../../blocks/request-message';
import { type BotDeps, tell } from '../../deps';
import { notDecided } from '../../present';
import { origin } from './origin';

/** Approve and Deny buttons, on a request's message and in the App Home queue. */
export function register(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const where = origin(body);
    const person = await deps.identity.person(body.user.id);
    if (!person) return tell(deps, client, where, deps.identity.refusal(body.user.id));
    // The core refuses self-approval, strangers, double clicks and a message older than the request
    // (amended since it was posted); the refusal is audited and threaded, and the clicker is told why.
    const seen = decidedOn(action.value);
    const extras = seen.digest === undefined ? undefined : { digest: seen.digest };
    const result = await deps.port.review(person, seen.id, 'approve', undefined, extras);
    if (!result.ok)
      return tell(
        deps,
        client,
        { ...where, person: where.fromHome ? person : undefined },
        notDecided('approve', result.message),
      );
    if (where.fromHome) await deps.home.publish(person);
  });

  app.action<BlockAction<ButtonAction>>(DENY_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const where = origin(body);
    const person = await deps.identity.person(body.user.id);
    if (!person) return tell(deps, client, where, deps.identity.refusal(body.user.id));
    const seen = decidedOn(action.value);
    const found = await deps.port.find(person, seen.id);
    if (!found.ok)
      return tell(deps, client, { ...where, person: where.fromHome ? person : undefined }, found.message);
    // The version the clicked message showed rides in the modal: the deny is checked against it.
    await client.views.open({
      trigger_id: body.trigger_id,
      view: denyModal(found.request, where.ref, seen.digest),
    });
  });
}
