import { KickLoop } from '@countersign/shared';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { actions } from '../../db/schema';
import { passFailuresOf } from '../background/pass-failures-of';
import type { Core } from '../core';
import { record } from '../outbox/record';

/** Marks one request expired if it is still pending past its deadline. Returns whether it did. */
export async function expireIfDue(
  core: Core,
  tx: Tx,
  at: number,
  id: string,
  actor: string,
): Promise<boolean> {
  const expired = await tx
    .update(actions)
    .set({ status: 'expired', decidedAt: sql`${actions.expiresAt}` })
    .where(and(eq(actions.id, id), eq(actions.status, 'pending'), lte(actions.expiresAt, at)))
    .returning({ id: actions.id, action: actions.action });
  const row = expired[0];
  if (!row) return false;
  await record(core, tx, at, [
    { type: 'action.expired', actor, subject: row.id, data: { action: row.action } },
  ]);
  return true;
}

/**
 * The sweeper's one pass: marks every overdue pending request expired, so listeners (Slack, webhooks,
 * long-polls) hear of it. Reads never depend on it: an overdue request already reads as expired.
 */
export async function expireDue(core: Core, limit = 500): Promise<string[]> {
  const ids = await core.writes.run(async (tx) => {
    const at = core.now();
    const rows = await tx
      .update(actions)
      .set({ status: 'expired', decidedAt: sql`${actions.expiresAt}` })
      .where(
        sql`${actions.id} IN (SELECT ${actions.id} FROM ${actions} WHERE ${actions.status} = 'pending' AND ${actions.expiresAt} <= ${at} LIMIT ${limit})`,
      )
      .returning({ id: actions.id, action: actions.action });
    await record(
      core,
      tx,
      at,
      rows.map((r) => ({
        type: 'action.expired' as const,
        actor: 'system:sweeper',
        subject: r.id,
        data: { action: r.action },
      })),
    );
    return rows.map((r) => r.id);
  });
  for (const id of ids) core.events.changed(id);
  return ids;
}

/**
 * Runs `expireDue` every `intervalMs` until stopped. The stop it returns resolves once a sweep in
 * flight has finished (shutdown closes the database next); failures are reported as every background
 * loop's are (PassFailures: a storage outage once, then counted).
 */
export function startSweeper(core: Core, intervalMs: number): () => Promise<void> {
  const failures = passFailuresOf(core, 'the expiry sweep');
  const loop = new KickLoop({
    pass: async () => {
      await expireDue(core);
    },
    nextDueAt: async () => undefined, // nothing to ask: a sweep every `intervalMs`
    idleMs: intervalMs,
    onError: failures.failed,
    onPassed: failures.succeeded,
  });
  loop.schedule();
  return () => loop.stop();
}
