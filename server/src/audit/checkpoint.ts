import { AuditCheckpoint } from '@countersign/shared';
import { desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { auditEvents } from '../db/schema';
import { type CheckpointKey, checkpointProblem, signCheckpoint } from './checkpoint-key';
import { appendAudit, eventTime, readAuditHead } from './emit';
import { ChainVerifier, feed, feedFromFile } from './verify';

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
 * What was checked before the write transaction (checkTail): from the checkpoint event at
 * `checkpointSeq`, every event through `seq`, whose hash is `hash`.
 */
export type CheckedTail = {
  checkpointSeq: number;
  seq: number;
  hash: string;
  lastCheckpoint: { seq: number; at: string } | null;
};

/**
 * Checks the events since the newest checkpoint, outside any write transaction: on a local file
 * through its own read-only handle (SQLite writes what each hash covers, a page as one buffer), else
 * through `db`, with the event loop getting a turn between pages. The write transaction then checks
 * only what was appended since, so signing holds the single writer for a few rows instead of the
 * whole tail (at 1,000 decisions a second the tail is 1,000 events every second, ≈20 ms checked row by
 * row inside the transaction: every write waited behind it). Undefined when there is nothing to
 * check yet, or when the tail does not hold: the transaction then checks it all and names the problem.
 */
export async function checkTail(
  db: Queryable,
  options: { key: CheckpointKey; minEvents?: number; file?: string | undefined },
): Promise<CheckedTail | undefined> {
  const head = await readAuditHead(db);
  const { latest, problem } = await latestCheckpoint(db, options.key);
  if (problem || !latest || head.seq - latest.eventSeq < Math.max(1, options.minEvents ?? 1)) return;
  const verifier = new ChainVerifier(options.key, undefined, {
    seq: latest.checkpoint.seq + 1,
    prevHash: latest.checkpoint.head,
  });
  // Pages of 250 (≈0.7 ms each) with a turn for the event loop between them: requests keep flowing.
  if (options.file)
    await feedFromFile(verifier, options.file, { after: latest.checkpoint.seq, pageSize: 250 });
  else await feed(verifier, db, latest.checkpoint.seq);
  const result = verifier.result();
  if (!result.ok || result.head === null) return;
  return {
    checkpointSeq: latest.eventSeq,
    seq: latest.checkpoint.seq + result.events,
    hash: result.head,
    lastCheckpoint: result.lastCheckpoint ?? null,
  };
}

/**
 * Signs the current head as a new `audit.checkpoint` event, inside `tx`. It signs only what it has
 * checked: the events since the last checkpoint must chain from the head that one signed, so a tail
 * someone rewrote in the file is refused rather than blessed. A log with no checkpoint at all is signed
 * only when empty (the genesis) or when the operator adopts it (`adopt`, after a full check).
 */
export async function writeCheckpoint(
  tx: Queryable,
  options: {
    key: CheckpointKey;
    at: number;
    actor: string;
    minEvents?: number;
    adopt?: boolean;
    /** What checkTail found before this transaction: only the events after it are checked here. */
    checked?: CheckedTail | undefined;
  },
): Promise<CheckpointOutcome> {
  const head = await readAuditHead(tx);
  const { latest, problem } = await latestCheckpoint(tx, options.key);
  if (problem) return { written: false, refused: problem };
  if (latest) {
    const since = head.seq - latest.eventSeq;
    if (since < Math.max(1, options.minEvents ?? 1)) return { written: false, checkpoint: latest.checkpoint };
    // Check from the checkpoint event itself, starting from the head it signs; or, when checkTail
    // checked the log that far from the same checkpoint, from the event after the last it checked.
    const checked = options.checked;
    const resume = checked && checked.checkpointSeq === latest.eventSeq && checked.seq <= head.seq;
    const verifier = new ChainVerifier(
      options.key,
      undefined,
      resume
        ? { seq: checked.seq + 1, prevHash: checked.hash, lastCheckpoint: checked.lastCheckpoint }
        : { seq: latest.checkpoint.seq + 1, prevHash: latest.checkpoint.head },
    );
    await feed(verifier, tx, resume ? checked.seq : latest.checkpoint.seq);
    const result = verifier.result();
    if (!result.ok) return { written: false, refused: result.problem ?? 'the log does not verify' };
    // The head signed below is the one the check reached (a row changed meanwhile fails the link).
    if ((result.head ?? (resume ? checked.hash : latest.checkpoint.head)) !== head.hash)
      return { written: false, refused: `event ${head.seq} is not the head the check reached` };
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
  // Signed with the time the row gets (never before the head's): verify holds the two equal.
  const at = eventTime(head, options.at);
  const checkpoint = signCheckpoint(options.key, head.seq, head.hash, at);
  await appendAudit(tx, Date.parse(at), [
    { type: 'audit.checkpoint', actor: options.actor, subject: null, data: checkpoint },
  ]);
  return { written: true, checkpoint };
}
