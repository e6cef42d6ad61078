import type { App } from '@slack/bolt';
import { ANSWER_BLOCK, ANSWER_INPUT, ANSWER_MODAL } from '../../blocks/answer';
import type { BotDeps } from '../../deps';

/** The Answer modal's submission: the answer verb decides who may answer; a refusal shows in the modal. */
export function register(app: App, deps: BotDeps): void {
  app.view(ANSWER_MODAL, async ({ ack, body, view }) => {
    const fail = (text: string) => ack({ response_action: 'errors', errors: { [ANSWER_BLOCK]: text } });
    const answer = view.state.values[ANSWER_BLOCK]?.[ANSWER_INPUT]?.value?.trim();
    if (!answer) return fail('Write an answer.');
    let id = '';
    try {
      id = (JSON.parse(view.private_metadata) as { id?: string }).id ?? '';
    } catch {
      return fail('This form is damaged; answer from the thread again.');
    }
    const person = await deps.identity.person(body.user.id);
    if (!person) return fail(deps.identity.refusal(body.user.id));
    const result = await deps.port.answer(person, id, answer);
    if (!result.ok) return fail(`Not answered: ${result.message}`);
    await ack();
  });
}
