import type { App, RespondFn } from '@slack/bolt';
import type { BotDeps } from '../../deps';
import { notDecided } from '../../present';

export const APPROVE_USAGE = 'Usage: `/approve <request id or unique prefix> [comment]`';
export const DENY_USAGE = 'Usage: `/deny <request id or unique prefix> <reason>` (a deny needs a reason)';

async function ephemeral(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', text });
}

/** `/approve <id> [comment]` and `/deny <id> <reason>`: the same review verb as the buttons and the API. */
export function register(app: App, deps: BotDeps): void {
  for (const [command, decision, usage] of [
    ['/approve', 'approve', APPROVE_USAGE],
    ['/deny', 'deny', DENY_USAGE],
  ] as const) {
    app.command(command, async ({ ack, command: cmd, respond }) => {
      const [idText = '', ...rest] = cmd.text.trim().split(/\s+/).filter(Boolean);
      const comment = rest.join(' ').trim() || undefined;
      if (!idText || (decision === 'deny' && !comment))
        return ack({ response_type: 'ephemeral', text: usage });
      await ack();
      const person = await deps.identity.person(cmd.user_id);
      if (!person) return ephemeral(respond, deps.identity.refusal(cmd.user_id));
      const found = await deps.port.find(person, idText);
      if (!found.ok) return ephemeral(respond, found.message);
      const result = await deps.port.review(person, found.request.id, decision, comment);
      if (!result.ok) return ephemeral(respond, notDecided(decision, result.message));
      const { request } = result;
      const state =
        request.status === 'pending'
          ? `approvals ${request.approvals.received} of ${request.approvals.required}; still pending`
          : `it is now ${request.status}`;
      return ephemeral(
        respond,
        `You ${decision === 'approve' ? 'approved' : 'denied'} \`${request.action}\` (${request.id}): ${state}.`,
      );
    });
  }
}
