import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import { outbox } from '../../db/schema';
import type { Core } from '../core';

export type OutboxItem = typeof outbox.$inferSelect;

/**
 * The next deliveries due for a sink, oldest first, at most one per request: a request's later
 * messages wait until its earlier ones are delivered (a thread reply needs its parent message).
 */
export async function dueDeliveries(core: Core, sink: string, limit = 20): Promise<OutboxItem[]> {
  const now = core.now();
  const rows = await core.database.db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.sink, sink),
        isNull(outbox.deliveredAt),
        lte(outbox.nextAttemptAt, now),
        sql`NOT EXISTS (SELECT 1 FROM outbox AS earlier WHERE earlier.sink = ${outbox.sink} AND earlier.action_id = ${outbox.actionId} AND earlier.delivered_at IS NULL AND earlier.id < ${outbox.id})`,
      ),
    )
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows;
}

/** When the sink's next delivery falls due, if any is waiting (for the deliverer's timer). */
export async function nextDueAt(core: Core, sink: string): Promise<number | undefined> {
  const [row] = await core.database.db
    .select({ at: sql<number>`MIN(${outbox.nextAttemptAt})` })
    .from(outbox)
    .where(and(eq(outbox.sink, sink), isNull(outbox.deliveredAt)));
  return row?.at ?? undefined;
}

export async function markDelivered(core: Core, id: string): Promise<void> {
  await core.writes.run((tx) =>
    tx.update(outbox).set({ deliveredAt: core.now(), lastError: null }).where(eq(outbox.id, id)),
  );
}

// 1 s, 2 s, 4 s … capped at 5 minutes, with jitter so a recovering Slack is not hit all at once.
export const backoffMs = (attempts: number): number =>
  Math.min(300_000, 1000 * 2 ** Math.min(attempts, 12)) * (0.75 + Math.random() * 0.5);

/** Records a failed attempt; the delivery is tried again at `retryAt` (Slack's Retry-After) or after a backoff. */
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
      .set({ attempts: item.attempts + 1, nextAttemptAt: Math.round(at), lastError: error.slice(0, 1000) })
      .where(eq(outbox.id, item.id)),
  );
  return at;
}
