import { AuditCheckpoint } from '@countersign/shared';
import { desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { auditEvents } from '../db/schema';
import { type CheckpointKey, checkpointProblem, signCheckpoint } from './checkpoint-key';
import { appendAudit, readAuditHead } from './emit';
import { ChainVerifier, feed } from './verify';

export type LatestCheckpoint = { eventSeq: number; checkpoint: AuditCheckpoint };

/**
 * The newest checkpoint event, if it holds: this install's signature, over the event just before it.
 * One indexed lookup (audit_type covers type, seq), whatever the log's length.
 */
export async function latestCheckpoint(
  db: Queryable,
  key: CheckpointKey,
): Promise<{ latest: LatestCheckpoint | undefined; problem?: string }> {
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.type, 'audit.checkpoint'))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  if (!row) return { latest: undefined };
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    return { latest: undefined, problem: `the checkpoint at event ${row.seq} is unreadable` };
  }
  const parsed = AuditCheckpoint.safeParse(data);
  if (!parsed.success) return { latest: undefined, problem: `event ${row.seq} is not a checkpoint` };
  const checkpoint = parsed.data;
  const problem =
    checkpoint.seq !== row.seq - 1 || checkpoint.head !== row.prevHash
      ? 'it does not sign the event before it'
      : checkpointProblem(key, checkpoint);
  if (problem)
    return { latest: undefined, problem: `the checkpoint at event ${row.seq} does not hold: ${problem}` };
  return { latest: { eventSeq: row.seq, checkpoint } };
}

export type CheckpointOutcome =
  | { written: boolean; checkpoint: AuditCheckpoint }
  | { written: false; refused: string };

/**
 * Signs the current head as a new `audit.checkpoint` event, inside `tx`. It signs only what it has
 * checked: the events since the last checkpoint must chain from the head that one signed, so a tail
 * someone rewrote in the file is refused rather than blessed. A log with no checkpoint at all is signed
 * only when empty (the genesis) or when the operator adopts it (`adopt`, after a full check).
 */
export async function writeCheckpoint(
  tx: Queryable,
  options: { key: CheckpointKey; at: number; actor: string; minEvents?: number; adopt?: boolean },
): Promise<CheckpointOutcome> {
  const head = await readAuditHead(tx);
  const { latest, problem } = await latestCheckpoint(tx, options.key);
  if (problem) return { written: false, refused: problem };
  if (latest) {
    const since = head.seq - latest.eventSeq;
    if (since < Math.max(1, options.minEvents ?? 1)) return { written: false, checkpoint: latest.checkpoint };
    // Check from the checkpoint event itself, starting from the head it signs.
    const verifier = new ChainVerifier(options.key, undefined, {
      seq: latest.checkpoint.seq + 1,
      prevHash: latest.checkpoint.head,
    });
    await feed(verifier, tx, latest.checkpoint.seq);
    const result = verifier.result();
    if (!result.ok) return { written: false, refused: result.problem ?? 'the log does not verify' };
  } else if (head.seq > 0) {
    if (!options.adopt) {
      return {
        written: false,
        refused:
          'the log has no signed checkpoint (it predates them): check it with `countersign audit verify`, then run `countersign audit checkpoint --adopt`',
      };
    }
    const verifier = new ChainVerifier(options.key);
    await feed(verifier, tx);
    const result = verifier.result();
    // The only failure adoption forgives is the one it cures, "no checkpoint": every event checked.
    if (!result.ok && result.events !== head.seq) return { written: false, refused: result.problem ?? '' };
  }
  const checkpoint = signCheckpoint(options.key, head.seq, head.hash, new Date(options.at).toISOString());
  await appendAudit(tx, options.at, [
    { type: 'audit.checkpoint', actor: options.actor, subject: null, data: checkpoint },
  ]);
  return { written: true, checkpoint };
}
