import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { outbox } from '../../db/schema';
import type { Core } from '../core';

export type OutboxItem = typeof outbox.$inferSelect;

/**
 * Claims the next deliveries due for a sink, oldest first, at most one per request: a request's later
 * messages wait until its earlier ones are delivered (a thread reply needs its parent message).
 *
 * Several nodes drain one outbox, so a delivery is leased before it is attempted: one conditional
 * UPDATE … RETURNING gives each row to exactly one node until `lease_until`. A node that dies holding
 * a lease loses it when it runs out, and another node takes the delivery over. What comes back is
 * this node's to deliver; anything another node holds is not returned.
 */
export async function claimDeliveries(core: Core, sink: string, limit = 20): Promise<OutboxItem[]> {
  const now = core.now();
  const free = or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now));
  const claimed = await core.writes.run((tx) => {
    const due = tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.sink, sink),
          isNull(outbox.deliveredAt),
          sql`${outbox.nextAttemptAt} <= ${now}`,
          free,
          sql`NOT EXISTS (SELECT 1 FROM outbox AS earlier WHERE earlier.sink = ${outbox.sink} AND earlier.action_id = ${outbox.actionId} AND earlier.delivered_at IS NULL AND earlier.id < ${outbox.id})`,
        ),
      )
      .orderBy(asc(outbox.id))
      .limit(limit);
    return tx
      .update(outbox)
      .set({ leaseOwner: core.nodeId, leaseUntil: now + core.outboxLeaseMs })
      .where(and(inArray(outbox.id, due), isNull(outbox.deliveredAt), free))
      .returning();
  });
  return claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * When the sink's next delivery falls due, if any is waiting (for the deliverer's timer): a row another
 * node holds falls due again when its lease runs out, so a dead node's work is picked up then.
 */
export async function nextDueAt(core: Core, sink: string): Promise<number | undefined> {
  const [row] = await core.database.db
    .select({ at: sql<number>`MIN(MAX(${outbox.nextAttemptAt}, COALESCE(${outbox.leaseUntil}, 0)))` })
    .from(outbox)
    .where(and(eq(outbox.sink, sink), isNull(outbox.deliveredAt)));
  return row?.at ?? undefined;
}

/** Marks a delivery this node holds as done; false when the lease was lost (it ran out and another node took it). */
export async function markDelivered(core: Core, id: string): Promise<boolean> {
  const done = await core.writes.run((tx) =>
    tx
      .update(outbox)
      .set({ deliveredAt: core.now(), lastError: null, leaseOwner: null, leaseUntil: null })
      .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, core.nodeId), isNull(outbox.deliveredAt)))
      .returning({ id: outbox.id }),
  );
  if (done.length === 0)
    core.log.warn({ deliveryId: id }, 'outbox lease lost before the delivery was recorded');
  return done.length > 0;
}

/**
 * Ends a delivery that can never succeed (a destination refused for good, or retries exhausted):
 * it leaves the queue like a delivered one, with `last_error` saying why it was abandoned.
 */
export async function markAbandoned(core: Core, id: string, reason: string): Promise<void> {
  await core.writes.run((tx) =>
    tx
      .update(outbox)
      .set({
        deliveredAt: core.now(),
        lastError: `abandoned: ${reason}`.slice(0, 1000),
        leaseOwner: null,
        leaseUntil: null,
      })
      .where(and(eq(outbox.id, id), eq(outbox.leaseOwner, core.nodeId), isNull(outbox.deliveredAt))),
  );
}

/** Gives back deliveries this node claimed but will not attempt now (Slack asked it to slow down). */
export async function releaseDeliveries(core: Core, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await core.writes.run((tx) =>
    tx
      .update(outbox)
      .set({ leaseOwner: null, leaseUntil: null })
      .where(and(inArray(outbox.id, ids), eq(outbox.leaseOwner, core.nodeId), isNull(outbox.deliveredAt))),
  );
}

// 1 s, 2 s, 4 s … capped at 5 minutes, with jitter so a recovering Slack is not hit all at once.
export const backoffMs = (attempts: number): number =>
  Math.min(300_000, 1000 * 2 ** Math.min(attempts, 12)) * (0.75 + Math.random() * 0.5);

/**
 * Records a failed attempt and gives the lease back; the delivery is tried again (by any node) at
 * `retryAt` (Slack's Retry-After) or after a backoff.
 */
export async function markFailed(
  core: Core,
  item: { id: string; attempts: number },
  error: string,
  retryAt?: number,
): Promise<number> {
  const at = retryAt ?? core.now() + backoffMs(item.attempts);
  await core.writes.run((tx) =>
    tx
      .update(outbox)
      .set({
        attempts: item.attempts + 1,
        nextAttemptAt: Math.round(at),
        lastError: error.slice(0, 1000),
        leaseOwner: null,
        leaseUntil: null,
      })
      .where(and(eq(outbox.id, item.id), eq(outbox.leaseOwner, core.nodeId))),
  );
  return at;
}

/**
 * On a clean stop: gives back every lease this node holds, so a restarted node (a new owner) or a
 * neighbour need not wait for them to run out.
 */
export async function releaseAllLeases(core: Core): Promise<void> {
  await core.writes.run((tx) =>
    tx
      .update(outbox)
      .set({ leaseOwner: null, leaseUntil: null })
      .where(and(eq(outbox.leaseOwner, core.nodeId), isNull(outbox.deliveredAt))),
  );
}
