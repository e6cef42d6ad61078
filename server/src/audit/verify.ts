import { AuditCheckpoint, type AuditVerification } from '@countersign/shared';
import { asc, gt } from 'drizzle-orm';
import Sqlite from 'libsql';
import type { Queryable } from '../db/client';
import { auditEvents } from '../db/schema';
import { chainHashOfData, GENESIS_HASH, sha256Hex } from './chain';
import { type CheckpointKey, checkpointProblem } from './checkpoint-key';

const PAGE = 2_000;

export type AuditRow = typeof auditEvents.$inferSelect;

/** A head the log must still contain: a signed checkpoint, or a bare seq and hash kept elsewhere. */
export type Anchor = { seq: number; head: string };

type State = {
  expectedSeq: number;
  prevHash: string;
  count: number;
  /** The seq of the newest checkpoint event that verified: events up to it are vouched for. */
  vouchedThrough: number;
  lastCheckpoint: { seq: number; at: string } | null;
  failure: AuditVerification | undefined;
};

/**
 * Checks the log one row at a time, in seq order, so any size streams through in one pass. Besides
 * the chain (each row links to the one before and hashes to what it says) it checks every
 * `audit.checkpoint` row against this install's key, and, given an anchor kept outside the log, that
 * the log still reaches it with the same hash — the only way to see a cut or a recomputed tail.
 */
export class ChainVerifier {
  readonly #key: CheckpointKey;
  readonly #anchor: Anchor | undefined;
  #s: State;

  /**
   * `from`: start at this seq, linking to `prevHash`, instead of at the genesis; `lastCheckpoint`, when
   * the events before `from` were checked already and include that checkpoint.
   */
  constructor(
    key: CheckpointKey,
    anchor?: Anchor,
    from?: { seq: number; prevHash: string; lastCheckpoint?: { seq: number; at: string } | null },
  ) {
    this.#key = key;
    this.#anchor = anchor;
    this.#s = {
      expectedSeq: from?.seq ?? 1,
      prevHash: from?.prevHash ?? GENESIS_HASH,
      count: 0,
      vouchedThrough: 0,
      lastCheckpoint: from?.lastCheckpoint ?? null,
      failure: undefined,
    };
  }

  /** A copy that carries on independently from here (tests replay many edits from one prefix). */
  clone(): ChainVerifier {
    const copy = new ChainVerifier(this.#key, this.#anchor);
    copy.#s = { ...this.#s };
    return copy;
  }

  get failed(): boolean {
    return this.#s.failure !== undefined;
  }

  /** Feeds the next row; false once the log has failed (later rows change nothing). */
  push(row: AuditRow): boolean {
    const s = this.#s;
    if (s.failure) return false;
    const problem = this.#check(row);
    if (problem) {
      s.failure = this.#bad(problem.seq, problem.text);
      return false;
    }
    s.prevHash = row.hash;
    s.expectedSeq += 1;
    s.count += 1;
    return true;
  }

  /**
   * Feeds the next row as what its hash covers, written by SQLite (`hashed`: the stored prev_hash, a
   * newline and the event's canonical JSON), beside its seq and stored hash. True when it is the next
   * seq, links to the row before and hashes to what it says; false, with nothing changed, otherwise,
   * and for a checkpoint or the anchor's event: the caller then feeds the row to push(), which checks
   * those and names any problem.
   */
  pushHashed(seq: number, hash: string, hashed: Buffer, checkpoint: boolean): boolean {
    const s = this.#s;
    if (s.failure || checkpoint || seq !== s.expectedSeq || this.#anchor?.seq === seq) return false;
    if (hashed[64] !== 0x0a || hashed.toString('latin1', 0, 64) !== s.prevHash) return false;
    if (sha256Hex(hashed) !== hash) return false;
    s.prevHash = hash;
    s.expectedSeq += 1;
    s.count += 1;
    return true;
  }

  #check(row: AuditRow): { seq: number; text: string } | undefined {
    const s = this.#s;
    const seq = s.expectedSeq;
    if (row.seq !== seq) return { seq, text: `event ${seq} is missing (next is ${row.seq})` };
    if (row.prevHash !== s.prevHash) return { seq, text: `event ${seq} does not link to event ${seq - 1}` };
    // The stored data is the canonical JSON the hash was computed over (the append writes exactly
    // that text), so it is hashed as stored: no parse and re-canonicalisation per row. Any edit of
    // the text, even one that keeps the same JSON value, changes the hash.
    if (chainHashOfData(s.prevHash, row, row.data) !== row.hash) {
      const readable = (() => {
        try {
          JSON.parse(row.data);
          return true;
        } catch {
          return false;
        }
      })();
      return { seq, text: readable ? `event ${seq} was altered` : `event ${seq} has unreadable data` };
    }
    if (row.type === 'audit.checkpoint') {
      const data = JSON.parse(row.data) as Record<string, unknown>;
      const problem = this.#checkpointProblem(row, data);
      if (problem) return { seq, text: `event ${seq} is a checkpoint that does not hold: ${problem}` };
      s.vouchedThrough = row.seq;
      s.lastCheckpoint = { seq: row.seq - 1, at: row.at };
    }
    const anchor = this.#anchor;
    if (anchor && row.seq === anchor.seq && row.hash !== anchor.head) {
      // The chain holds, yet the head differs: everything from some point on was rewritten and
      // re-hashed. Only the last checkpoint that still verifies bounds where.
      return {
        seq: s.vouchedThrough + 1,
        text:
          `the log was rewritten: event ${row.seq} no longer has the hash the checkpoint vouches for, so some ` +
          `event in ${s.vouchedThrough + 1}…${row.seq} was changed (events up to ${s.vouchedThrough} still ` +
          'match signed checkpoints)',
      };
    }
    return undefined;
  }

  #checkpointProblem(row: AuditRow, data: Record<string, unknown>): string | undefined {
    const parsed = AuditCheckpoint.safeParse(data);
    if (!parsed.success) return 'its data is not a checkpoint';
    const c = parsed.data;
    if (c.seq !== row.seq - 1) return `it signs event ${c.seq}, not the event before it`;
    if (c.head !== this.#s.prevHash) return `event ${c.seq} no longer has the hash it signs`;
    if (c.at !== row.at) return 'its time is not the time of the event';
    return checkpointProblem(this.#key, c);
  }

  #bad(seq: number, problem: string): AuditVerification {
    const s = this.#s;
    return {
      ok: false,
      events: s.count,
      head: s.count > 0 ? s.prevHash : null,
      firstBadSeq: seq,
      problem,
      lastCheckpoint: s.lastCheckpoint,
    };
  }

  /** The verdict once every row has been pushed. */
  result(): AuditVerification {
    const s = this.#s;
    if (s.failure) return s.failure;
    const last = s.expectedSeq - 1;
    const anchor = this.#anchor;
    if (anchor && last < anchor.seq) {
      return {
        ...this.#bad(
          s.expectedSeq,
          `truncated after seq ${last}: a checkpoint vouches for event ${anchor.seq}`,
        ),
        truncatedAfter: last,
      };
    }
    // A log rewritten whole, from a genesis of the attacker's choosing, chains perfectly; it cannot
    // carry a checkpoint signed by this install, so a log without one is not proven.
    if (s.count > 0 && s.lastCheckpoint === null) {
      return this.#bad(
        1,
        'no event is a checkpoint signed by this install, so nothing proves this log was written here (a log from before signed checkpoints: check it, then run `countersign audit checkpoint --adopt`)',
      );
    }
    return {
      ok: true,
      events: s.count,
      head: s.count > 0 ? s.prevHash : null,
      lastCheckpoint: s.lastCheckpoint,
    };
  }
}

/** Streams rows with seq > `after` in order, a page at a time (one await per page, not per row). */
export async function* auditPages(db: Queryable, after = 0): AsyncGenerator<AuditRow[]> {
  let cursor = after;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, cursor))
      .orderBy(asc(auditEvents.seq))
      .limit(PAGE);
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (rows.length < PAGE || !last) return;
    cursor = last.seq;
  }
}

/** Feeds every row from seq > `after` to `verifier` until it fails. */
export async function feed(verifier: ChainVerifier, db: Queryable, after = 0): Promise<void> {
  for await (const page of auditPages(db, after)) {
    for (const row of page) if (!verifier.push(row)) return;
  }
}

const FILE_PAGE = 1_000;

type StoredRow = [number, string, string, string, string | null, string, string, string];
const rowOf = ([seq, at, type, actor, subject, data, prevHash, hash]: StoredRow): AuditRow => ({
  seq,
  at,
  type,
  actor,
  subject,
  data,
  prevHash,
  hash,
});

// What an event's hash covers, written by SQLite: json_quote escapes a string as JSON.stringify
// does (test/audit/export-same-bytes.test.ts holds the export, which writes events the same way, to
// JSON.stringify's bytes), and the data is hashed as stored.
const HASHED_SQL =
  `prev_hash || char(10) || '{"actor":' || json_quote(actor) || ',"at":' || json_quote(at) || ` +
  `',"data":' || data || ',"seq":' || seq || ',"subject":' || json_quote(subject) || ` +
  `',"type":' || json_quote(type) || '}'`;

/**
 * Feeds every row with seq > `after` from a local database file, read through its own read-only handle a page at a
 * time. SQLite writes what each row's hash covers, a whole page as one buffer: turning a million
 * rows into JavaScript strings, column by column, was half of verify's time. A row the page cannot
 * vouch for (a checkpoint, the anchor's event, anything that does not hold) is read whole and fed to
 * push(), which names the problem exactly as it does for any other reader. Between pages the event
 * loop gets a turn, so a server verifying through its API keeps answering.
 */
export async function feedFromFile(
  verifier: ChainVerifier,
  path: string,
  options: { after?: number; pageSize?: number } = {},
): Promise<void> {
  const pageSize = options.pageSize ?? FILE_PAGE;
  const db = new Sqlite(path, { readonly: true, fileMustExist: true });
  try {
    const page = db
      .prepare(
        "SELECT CAST(group_concat(hashed, '') AS BLOB), group_concat(length(CAST(hashed AS BLOB)), ','), " +
          "group_concat(hash, ','), group_concat(type = 'audit.checkpoint', ''), count(*), min(seq), max(seq) " +
          `FROM (SELECT seq, hash, type, ${HASHED_SQL} AS hashed FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?)`,
      )
      .raw(true);
    const columns = 'SELECT seq, at, type, actor, subject, data, prev_hash, hash FROM audit_events';
    const one = db.prepare(`${columns} WHERE seq = ?`).raw(true);
    const rows = db.prepare(`${columns} WHERE seq > ? ORDER BY seq LIMIT ?`).raw(true);
    let after = options.after ?? 0;
    for (;;) {
      const [hashed, lengths, hashes, checkpoints, count, first, last] = page.get(after, pageSize) as [
        Buffer | null,
        string | null,
        string | null,
        string | null,
        number,
        number | null,
        number | null,
      ];
      if (count === 0 || hashed === null || first === null || last === null) return;
      const sizes = (lengths ?? '').split(',');
      const hashList = (hashes ?? '').split(',');
      // Seqs without a gap, and one entry per row in every list (a NULL is left out of one; a hash
      // with a comma in it splits in two): otherwise the page row by row, which names the problem.
      const whole =
        last - first + 1 === count &&
        sizes.length === count &&
        hashList.length === count &&
        checkpoints?.length === count;
      if (!whole) {
        for (const row of rows.all(after, pageSize) as StoredRow[]) if (!verifier.push(rowOf(row))) return;
      } else {
        let offset = 0;
        for (let i = 0; i < count; i += 1) {
          const size = Number(sizes[i]);
          const seq = first + i;
          const fast = verifier.pushHashed(
            seq,
            hashList[i] ?? '',
            hashed.subarray(offset, offset + size),
            checkpoints[i] === '1',
          );
          offset += size;
          if (fast) continue;
          const row = one.get(seq) as StoredRow | undefined;
          if (!row || !verifier.push(rowOf(row))) return;
        }
      }
      if (count < pageSize) return;
      after = last;
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    db.close();
  }
}

/**
 * Recomputes the whole chain, one pass. Any edited, deleted, inserted or reordered row shows up as the
 * first seq whose link, hash or checkpoint does not hold; with an anchor kept outside the log, a cut
 * or rewritten tail shows up too.
 */
export async function verifyAudit(
  db: Queryable,
  options: { key: CheckpointKey; anchor?: Anchor | undefined; file?: string | undefined },
): Promise<AuditVerification> {
  const verifier = new ChainVerifier(options.key, options.anchor);
  if (options.file) await feedFromFile(verifier, options.file);
  else await feed(verifier, db);
  return verifier.result();
}
