import type { ActionRequest } from '@countersign/shared';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { type BotDeps, tell } from '../../deps';
import { origin } from './origin';

/**
 * A button that opens a modal about the request it names (its value), for whoever may see the request.
 * Nothing is decided by the click: the modal's submission goes to the core, which decides who may act.
 * `build` answers a sentence instead of a modal when the request no longer offers this (a stale button).
 */
export function openModalFor(
  app: App,
  deps: BotDeps,
  actionId: string,
  build: (request: ActionRequest) => ModalView | string,
): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client }) => {
    await ack();
    const where = origin(body);
    const person = await deps.identity.person(body.user.id);
    if (!person) return tell(deps, client, where, deps.identity.refusal(body.user.id));
    const say = (text: string) =>
      tell(deps, client, { ...where, person: where.fromHome ? person : undefined }, text);
    const found = await deps.port.find(person, action.value ?? '');
    if (!found.ok) return say(found.message);
    const view = build(found.request);
    if (typeof view === 'string') return say(view);
    await client.views.open({ trigger_id: body.trigger_id, view });
  });
}
