import type { App } from '@slack/bolt';
import { breakGlassOpen } from '../../blocks/break-glass';
import { inert, slackDate, truncate } from '../../blocks/format';
import type { BotDeps } from '../../deps';

export const APPROVALS_USAGE =
  'Usage: `/approvals` lists what waits for your countersignature; `/approvals connect` pairs your browser extension; `/approvals break-glass <request id or prefix> <reason>` approves your own request where its rule allows break-glass.';

export const BREAK_GLASS_USAGE =
  'Usage: `/approvals break-glass <request id or prefix> <reason>` (at least 20 characters: why no approver could be reached)';

/** `/approvals`: the caller's own queue, as an ephemeral message. */
export function register(app: App, deps: BotDeps): void {
  app.command('/approvals', async ({ ack, command, respond }) => {
    const [first = '', idText = '', ...words] = command.text.trim().split(/\s+/).filter(Boolean);
    const sub = first.toLowerCase();
    if (sub !== '' && sub !== 'connect' && sub !== 'break-glass')
      return ack({ response_type: 'ephemeral', text: APPROVALS_USAGE });
    if (sub === 'break-glass' && (!idText || words.length === 0))
      return ack({ response_type: 'ephemeral', text: BREAK_GLASS_USAGE });
    await ack();
    const person = await deps.identity.person(command.user_id);
    if (!person) {
      await respond({ response_type: 'ephemeral', text: deps.identity.refusal(command.user_id) });
      return;
    }
    if (sub === 'break-glass') {
      // The same verb as the modal and the API: the core checks the reason, the rule and who asks.
      const found = await deps.port.find(person, idText);
      const result = found.ok ? await deps.port.breakGlass(person, found.request.id, words.join(' ')) : found;
      const text = result.ok
        ? `You broke the glass on \`${inert(result.request.action, 200)}\` (${result.request.id}): it is approved, the rule's channels and every approver are told, and an approver reviews it after.`
        : `Not approved: ${result.message}`;
      await respond({ response_type: 'ephemeral', text });
      return;
    }
    if (sub === 'connect') {
      const { code, expiresAt } = await deps.port.pairingCode(person);
      await respond({
        response_type: 'ephemeral',
        text: `Your pairing code is \`${code}\`: paste it into the Countersign extension's options page. It works once and expires ${slackDate(expiresAt)}. Don't share it: it signs the browser in as you.`,
      });
      return;
    }
    const { reviewable, mine } = await deps.port.queue(person);
    const line = (r: (typeof reviewable)[number]) =>
      `• \`${r.id}\` \`${inert(r.action, 120)}\`${r.resource ? ` on \`${inert(r.resource, 120)}\`` : ''} — ${r.approvals.received} of ${r.approvals.required}`;
    const waiting =
      reviewable.length === 0
        ? 'Nothing waits for you.'
        : `*Waiting for you (${reviewable.length})*\n${reviewable.slice(0, 30).map(line).join('\n')}`;
    const pendingMine = mine.filter((r) => r.status === 'pending');
    // Where a rule allows break-glass, its requester's side learns here how, should no approver answer.
    const glass = (r: (typeof mine)[number]) => (breakGlassOpen(r) ? ' · break-glass allowed' : '');
    const yours =
      pendingMine.length === 0
        ? ''
        : `\n*Your pending requests (${pendingMine.length})*\n${pendingMine
            .slice(0, 15)
            .map((r) => `${line(r)}${glass(r)}`)
            .join('\n')}`;
    const breakable = pendingMine.some(breakGlassOpen)
      ? ' No approver answers? `/approvals break-glass <id> <reason>`.'
      : '';
    await respond({
      response_type: 'ephemeral',
      text: truncate(
        `${waiting}${yours}\nApprove with \`/approve <id>\`, deny with \`/deny <id> <reason>\`.${breakable}`,
        3900,
      ),
    });
  });
}
