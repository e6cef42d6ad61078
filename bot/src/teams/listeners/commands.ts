import { Activity } from '@microsoft/agents-activity';
import type { TurnContext } from '@microsoft/agents-hosting';
import { decidedLine, notDecided } from '../../present';
import type { Card } from '../cards/request-card';
import { cardAttachment, requestCard } from '../cards/request-card';
import { standingCard } from '../cards/standing-card';
import type { TeamsDeps } from '../deps';
import { personOf } from './person';

export const HELP =
  'Commands: `approvals` (your queue: requests to decide, break-glass follow-ups, standing approvals), `requests` (your own pending requests, and your agents’), `approve <id> [comment]`, `deny <id> <reason>`, `connect` (pair your browser extension).';

/** Personal commands in a 1:1 chat with the bot: the same verbs as Slack's slash commands and the API. */
export async function onCommand(deps: TeamsDeps, context: TurnContext): Promise<void> {
  // In a channel the bot sees "<at>Countersign</at> approvals"; the mention is not part of the command.
  const text = (context.activity.text ?? '').replace(/<at>[^<]*<\/at>/g, '').trim();
  const [word = '', idText = '', ...rest] = text.split(/\s+/).filter(Boolean);
  const command = word.toLowerCase();
  if (!['approvals', 'requests', 'approve', 'deny', 'connect'].includes(command)) {
    await context.sendActivity(HELP);
    return;
  }
  const who = await personOf(deps, context);
  if (!who.ok) {
    await context.sendActivity(who.why);
    return;
  }
  const { person } = who;
  if (command === 'connect') {
    // A pairing code is a credential for one person: never posted where a channel can read it.
    if (context.activity.conversation?.conversationType !== 'personal') {
      await context.sendActivity(
        'Type connect in a 1:1 chat with Countersign: a pairing code is yours alone.',
      );
      return;
    }
    const { code, expiresAt } = await deps.port.pairingCode(person);
    await context.sendActivity(
      `Your pairing code: ${code} (valid until ${expiresAt}, once). Enter it in the Countersign browser extension.`,
    );
    return;
  }
  const send = (card: Card) =>
    context.sendActivity(Activity.fromObject({ type: 'message', attachments: [cardAttachment(card)] }));
  if (command === 'requests') {
    // The requester's side reads its pending requests here, with Break glass… where the rule allows it.
    const pending = (await deps.port.queue(person)).mine.filter((r) => r.status === 'pending');
    if (pending.length === 0) await context.sendActivity('You (and agents you own) have nothing pending.');
    for (const request of pending.slice(0, 10))
      await send(requestCard(request, { consoleUrl: deps.config.publicUrl, side: 'requester' }));
    return;
  }
  if (command === 'approvals') {
    const queue = await deps.port.queue(person);
    const followUps = queue.followUps ?? [];
    const standing = queue.standing ?? [];
    if (queue.reviewable.length === 0) await context.sendActivity('Nothing waits for your review.');
    // Each request as its card, with the forms its rule allows; then what stays live after a decision.
    for (const request of queue.reviewable.slice(0, 10)) {
      const review = await deps.port.reviewOptions(request.id);
      await send(requestCard(request, { consoleUrl: deps.config.publicUrl, review }));
    }
    if (followUps.length > 0)
      await context.sendActivity(`Break-glass follow-ups waiting for an approver (${followUps.length}):`);
    for (const request of followUps.slice(0, 10))
      await send(requestCard(request, { consoleUrl: deps.config.publicUrl }));
    if (standing.length > 0) await send(standingCard(standing));
    return;
  }
  const decision = command === 'approve' ? 'approve' : 'deny';
  const comment = rest.join(' ').trim() || undefined;
  if (!idText || (decision === 'deny' && !comment)) {
    await context.sendActivity(
      decision === 'approve'
        ? 'Usage: approve <request id> [comment]'
        : 'Usage: deny <request id> <reason> (a deny needs a reason)',
    );
    return;
  }
  const found = await deps.port.find(person, idText);
  if (!found.ok) {
    await context.sendActivity(found.message);
    return;
  }
  const result = await deps.port.review(person, found.request.id, decision, comment);
  await context.sendActivity(
    result.ok ? decidedLine(decision, result.request) : notDecided(decision, result.message),
  );
}
