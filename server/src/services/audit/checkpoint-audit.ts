import type { AuditCheckpoint } from '@countersign/shared';
import { type CheckpointOutcome, checkTail, latestCheckpoint, writeCheckpoint } from '../../audit/checkpoint';
import { checkpointKeyOf } from '../../audit/checkpoint-key';
import { readAuditHead } from '../../audit/emit';
import { forbidden } from '../../errors';
import { filePathOf } from '../../secret';
import type { Core, Ctx } from '../core';
import { authorizeAuditRead } from './read-audit';

/**
 * Signs the current head as an `audit.checkpoint` event when at least `minEvents` events came after
 * the last one (`adopt`: also sign a log from before checkpoints, once it checks out). Only the
 * server itself and the operator at the CLI write checkpoints.
 */
export async function checkpointAudit({
  ctx,
  input = {},
}: {
  ctx: Ctx;
  input?: { minEvents?: number; adopt?: boolean };
}): Promise<CheckpointOutcome> {
  if (ctx.actor.kind !== 'system') throw forbidden('only the server and the operator write checkpoints');
  const { core } = ctx;
  const key = checkpointKeyOf(core.secret);
  // The long part, checking the tail, before the write queue: the writer waits only for the rest.
  const { url } = core.database;
  const file = url.startsWith('file:') ? filePathOf(url) : undefined;
  const checked = await checkTail(core.database.db, { key, minEvents: input.minEvents, file });
  return core.writes.run((tx) =>
    writeCheckpoint(tx, {
      key,
      at: core.now(),
      actor: ctx.actor.id,
      minEvents: input.minEvents,
      adopt: input.adopt,
      checked,
    }),
  );
}

/**
 * The newest checkpoint in the log, once checked to be this install's and to sign the event before
 * it; a forged or misplaced one comes back as a problem, never as something to store.
 */
export async function readLatestCheckpoint({
  ctx,
}: {
  ctx: Ctx;
}): Promise<{ checkpoint: AuditCheckpoint | undefined; problem?: string }> {
  authorizeAuditRead(ctx);
  const { latest, problem } = await latestCheckpoint(ctx.core.database.db, checkpointKeyOf(ctx.core.secret));
  return problem ? { checkpoint: undefined, problem } : { checkpoint: latest?.checkpoint };
}

/**
 * Starts a new log with a genesis checkpoint signed by this install, so a log rewritten whole (from
 * the constant genesis hash, which anyone can compute) never verifies here. Does nothing to a log
 * that has events. Two nodes starting on one new database race for seq 1; the loser finds it taken.
 */
export async function startAuditLog(core: Core): Promise<void> {
  const db = core.database.db;
  if ((await readAuditHead(db)).seq > 0) return;
  const key = checkpointKeyOf(core.secret);
  try {
    await core.writes.run(async (tx) => {
      if ((await readAuditHead(tx)).seq > 0) return;
      await writeCheckpoint(tx, { key, at: core.now(), actor: 'system:server' });
    });
  } catch (error) {
    if ((await readAuditHead(db)).seq === 0) throw error;
  }
}
