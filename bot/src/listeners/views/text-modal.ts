import type { App } from '@slack/bolt';
import { requestIdOf, submitted } from '../../blocks/text-modal';
import type { BotDeps } from '../../deps';
import type { Outcome, SlackPerson } from '../../port';

/**
 * The submission of a one-question modal (Ask, Flag, Break glass): the words are required, the request id
 * comes from the modal, and one port verb decides before Slack is acknowledged (it allows 3 s), so the
 * core's refusal is shown beside the input (`response_action: errors`) and the modal stays open.
 */
export function onTextModal(
  app: App,
  deps: BotDeps,
  spec: {
    callbackId: string;
    block: string;
    input: string;
    /** What the modal says when the input is empty. */
    empty: string;
    /** "Not asked", "Not flagged": the head of a refusal. */
    refused: string;
    /** `metadata`: the modal's private_metadata, for what a verb needs beyond the id (a Deny's version). */
    run: (person: SlackPerson, id: string, text: string, metadata: string) => Promise<Outcome<object>>;
  },
): void {
  app.view(spec.callbackId, async ({ ack, body, view }) => {
    const fail = (text: string) => ack({ response_action: 'errors', errors: { [spec.block]: text } });
    const text = submitted(view.state.values, spec.block, spec.input);
    if (!text) return fail(spec.empty);
    const id = requestIdOf(view.private_metadata);
    if (!id) return fail('This form is damaged; open it from the message again.');
    const person = await deps.identity.person(body.user.id);
    if (!person) return fail(deps.identity.refusal(body.user.id));
    const result = await spec.run(person, id, text, view.private_metadata);
    if (!result.ok) return fail(`${spec.refused}: ${result.message}`);
    await ack();
  });
}
