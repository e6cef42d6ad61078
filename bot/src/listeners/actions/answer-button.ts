import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ANSWER_ACTION, answerModal } from '../../blocks/answer';
import { type BotDeps, tell } from '../../deps';

/** "Answer" under a reviewer's question: opens the answer modal for whoever may see the request. */
export function register(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ANSWER_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const where = { channel: body.channel?.id, user: body.user.id };
    const person = await deps.identity.person(body.user.id);
    if (!person) return tell(deps, client, where, deps.identity.refusal(body.user.id));
    // Who may answer is the core's to say, at submission; here only who may see the request.
    const found = await deps.port.find(person, action.value ?? '');
    if (!found.ok) return tell(deps, client, where, found.message);
    await client.views.open({ trigger_id: body.trigger_id, view: answerModal(found.request) });
  });
}
