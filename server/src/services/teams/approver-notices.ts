import { createHash } from 'node:crypto';
import { outbox } from '../../db/schema';
import { afterCommit } from '../../db/write-queue';
import type { Core } from '../core';

/**
 * Queues one outbox delivery per person for an event a chat tells each of them 1:1 (a break-glass to
 * every approver), after `parent` in its request's order. Each row's id is the parent's with a digest
 * of the email appended, so a retry of the parent (a node that crashed, a later step that failed)
 * queues no second row for anyone: the insert is a no-op for ids already there. Each row is then leased,
 * retried and delivered on its own, so one approver Teams cannot reach never sends the others theirs twice.
 */
export async function queueNotices(
  core: Core,
  sink: string,
  parent: { id: string; actionId: string; payload: Record<string, unknown> },
  event: string,
  emails: readonly string[],
): Promise<void> {
  if (emails.length === 0) return;
  const at = core.now();
  // `<parent id>:<digest>` sorts after the parent and before any later id of the same request (ids of
  // one prefix have one length), so claimDeliveries keeps the request's order with no change.
  const rows = [...new Set(emails)].map((email) => ({
    id: `${parent.id}:${createHash('sha256').update(email).digest('hex').slice(0, 16)}`,
    sink,
    actionId: parent.actionId,
    event,
    payload: { ...parent.payload, to: email },
    nextAttemptAt: at,
    createdAt: at,
  }));
  await core.writes.run(async (tx) => {
    const added = await tx.insert(outbox).values(rows).onConflictDoNothing().returning({ id: outbox.id });
    if (added.length > 0) afterCommit(tx, () => core.events.outboxWritten(sink));
  });
}
