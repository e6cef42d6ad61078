import type { App } from '@slack/bolt';
import { DENY_MODAL, REASON_BLOCK, REASON_INPUT } from '../../blocks/deny-modal';
import type { BotDeps } from '../../deps';

/** The Deny modal's submission: a reason is required; a refusal is shown in the modal itself. */
export function register(app: App, deps: BotDeps): void {
  app.view(DENY_MODAL, async ({ ack, body, view }) => {
    const reason = view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value?.trim();
    if (!reason)
      return ack({
        response_action: 'errors',
        errors: { [REASON_BLOCK]: 'Say why, so the requester can change course.' },
      });
    let id = '';
    try {
      id = (JSON.parse(view.private_metadata) as { id?: string }).id ?? '';
    } catch {
      return ack({
        response_action: 'errors',
        errors: { [REASON_BLOCK]: 'This form is damaged; deny from the message again.' },
      });
    }
    const person = await deps.identity.person(body.user.id);
    if (!person)
      return ack({
        response_action: 'errors',
        errors: { [REASON_BLOCK]: deps.identity.refusal(body.user.id) },
      });
    // Decided before acknowledging, so a refusal can be shown in the modal (Slack allows 3 s).
    const result = await deps.port.review(person, id, 'deny', reason);
    if (!result.ok)
      return ack({ response_action: 'errors', errors: { [REASON_BLOCK]: `Not denied: ${result.message}` } });
    await ack();
  });
}
