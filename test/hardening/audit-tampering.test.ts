import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_EVENT_TYPES, type AuditCheckpoint, type AuditVerification } from '@countersign/shared';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from '../../server/src/audit/chain';
import { writeCheckpoint } from '../../server/src/audit/checkpoint';
import { checkpointKeyOf, signCheckpoint } from '../../server/src/audit/checkpoint-key';
import { appendAudit } from '../../server/src/audit/emit';
import { type Anchor, type AuditRow, ChainVerifier, verifyAudit } from '../../server/src/audit/verify';
import { openDatabase } from '../../server/src/db/client';
import { auditEvents } from '../../server/src/db/schema';
import { tempDir } from '../e2e/processes';

/*
 * An attacker with write access to the database file but not the server secret: every single-row
 * edit, deletion, reorder, cut and rewritten tail of a 10,000-event log must be caught against a
 * checkpoint kept elsewhere, naming where. The log is built once; the exhaustive row-by-row cases run
 * through the same ChainVerifier that `verify` streams the database through, each resumed from a
 * snapshot of the verified prefix so 90,000 cases take seconds; a sample of each kind then runs as
 * real SQL on a copy of the file with the append-only triggers dropped.
 */

const EVENTS = 10_000;
const CHECKPOINT_EVERY = 100;
const key = checkpointKeyOf(Buffer.alloc(32, 42));
const attackerKey = checkpointKeyOf(Buffer.alloc(32, 66));
const NON_CHECKPOINT = AUDIT_EVENT_TYPES.filter((t) => t !== 'audit.checkpoint');

let dir: Awaited<ReturnType<typeof tempDir>>;
let pristine: string;
let rows: AuditRow[];
/** prefix[i]: a verifier that has accepted rows 1..i, ready for row i+1. */
let prefix: ChainVerifier[];
/** The operator's record of the head at the end: the newest event, kept elsewhere. */
let finalHead: Anchor;
/** The newest signed checkpoint, as `countersign audit checkpoint` prints it. */
let signed: AuditCheckpoint;
const checkpointSeqs: number[] = [];

beforeAll(async () => {
  dir = await tempDir();
  pristine = join(dir.dir, 'pristine.db');
  const database = await openDatabase(`file:${pristine}`);
  const at = Date.parse('2026-11-30T00:00:00Z');
  let n = 0;
  await database.db.transaction(async (tx) => {
    await writeCheckpoint(tx, { key, at, actor: 'system:server' });
    while (n < EVENTS - 1) {
      n += 1;
      if (n % CHECKPOINT_EVERY === 0) {
        const outcome = await writeCheckpoint(tx, { key, at: at + n, actor: 'system:server' });
        if (!('checkpoint' in outcome) || !outcome.written) throw new Error('checkpoint not written');
        continue;
      }
      await appendAudit(tx, at + n, [
        {
          type: NON_CHECKPOINT[n % NON_CHECKPOINT.length] ?? 'key.created',
          actor: n % 3 === 0 ? 'system:sweeper' : `user:u${n % 17}@example.com`,
          subject: n % 5 === 0 ? null : `act_${n.toString(36).padStart(6, '0')}`,
          data: { n, action: `db.op${n % 11}`, params: { rows: n * 7, pii: n % 2 === 0 } },
        },
      ]);
    }
  });
  database.close();
  const reader = await openDatabase(`file:${pristine}`);
  rows = await reader.db.select().from(auditEvents).orderBy(auditEvents.seq);
  reader.close();
  // The attacks copy the file alone: fold the write-ahead log into it first, or a copy made before
  // the last connection's close-time checkpoint would hold an empty log.
  const folder = createClient({ url: `file:${pristine}` });
  await folder.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  folder.close();
  expect(rows).toHaveLength(EVENTS);
  for (const row of rows) if (row.type === 'audit.checkpoint') checkpointSeqs.push(row.seq);
  const last = rows.at(-1);
  if (!last) throw new Error('empty log');
  finalHead = { seq: last.seq, head: last.hash };
  const newest = [...rows].reverse().find((r) => r.type === 'audit.checkpoint');
  signed = JSON.parse(newest?.data ?? '{}') as AuditCheckpoint;

  const start = new ChainVerifier(key, finalHead);
  prefix = [start];
  let v = start;
  for (const row of rows) {
    v = v.clone();
    expect(v.push(row), `pristine row ${row.seq}`).toBe(true);
    prefix.push(v);
  }
}, 120_000);

afterAll(async () => {
  await dir?.remove();
});

/** Runs `tail` (the rows from position `from`, 1-based, as the attacker left them) after the intact prefix. */
function verifyFrom(from: number, tail: Iterable<AuditRow>, anchor: Anchor = finalHead): AuditVerification {
  const base = prefix[from - 1];
  if (!base) throw new Error(`no prefix for ${from}`);
  // The prefix snapshots carry the final head as their anchor; for another anchor replay from scratch.
  const v = anchor === finalHead ? base.clone() : replay(from - 1, anchor);
  for (const row of tail) if (!v.push(row)) break;
  return v.result();
}

function replay(count: number, anchor: Anchor): ChainVerifier {
  const v = new ChainVerifier(key, anchor);
  for (const row of rows.slice(0, count)) v.push(row);
  return v;
}

/** Rows lazily: the verifier stops at the first bad one, so most cases read one or two. */
function* chain(...parts: Iterable<AuditRow>[]): Generator<AuditRow> {
  for (const part of parts) yield* part;
}

function* after(i: number): Generator<AuditRow> {
  for (let j = i; j < rows.length; j++) {
    const row = rows[j];
    if (row) yield row;
  }
}

const flipHex = (hex: string) => `${hex[0] === 'a' ? 'b' : 'a'}${hex.slice(1)}`;

const EDITS: Record<string, (row: AuditRow) => AuditRow> = {
  seq: (r) => ({ ...r, seq: r.seq + 1_000_000 }),
  at: (r) => ({ ...r, at: new Date(Date.parse(r.at) + 1).toISOString() }),
  type: (r) => ({ ...r, type: r.type === 'action.approved' ? 'action.denied' : 'action.approved' }),
  actor: (r) => ({
    ...r,
    actor: r.actor === 'user:mallory@example.com' ? 'system:cli' : 'user:mallory@example.com',
  }),
  subject: (r) => ({ ...r, subject: r.subject === null ? 'act_forged' : null }),
  data: (r) => {
    const data = JSON.parse(r.data) as Record<string, unknown>;
    return { ...r, data: canonicalJson({ ...data, forged: true }) };
  },
  prevHash: (r) => ({ ...r, prevHash: flipHex(r.prevHash) }),
  hash: (r) => ({ ...r, hash: flipHex(r.hash) }),
};

describe('a 10,000-event audit log against a checkpoint kept elsewhere', () => {
  it('verifies untouched, through the database, against the final head and the newest signed checkpoint', async () => {
    const { db, close } = await openDatabase(`file:${pristine}`);
    expect(await verifyAudit(db, { key, anchor: finalHead })).toMatchObject({ ok: true, events: EVENTS });
    expect(await verifyAudit(db, { key, anchor: signed })).toMatchObject({
      ok: true,
      lastCheckpoint: { seq: signed.seq },
    });
    close();
    expect(checkpointSeqs).toHaveLength(EVENTS / CHECKPOINT_EVERY);
  });

  it.each(Object.keys(EDITS))('catches an edit of %s in every row, naming that row', (column) => {
    const edit = EDITS[column];
    if (!edit) throw new Error(column);
    const missed: number[] = [];
    for (let i = 1; i <= EVENTS; i++) {
      const row = rows[i - 1];
      if (!row) throw new Error(`row ${i}`);
      const changed = edit(row);
      // A changed seq moves the row to where the database would now return it: after the rest.
      const tail = column === 'seq' ? chain(after(i), [changed]) : chain([changed], after(i));
      const result = verifyFrom(i, tail);
      if (result.ok || result.firstBadSeq !== i) missed.push(i);
    }
    expect(missed).toEqual([]);
  });

  it('catches the deletion of every row, naming it (the last one as a cut after the one before)', () => {
    const missed: number[] = [];
    for (let i = 1; i <= EVENTS; i++) {
      const result = verifyFrom(i, after(i));
      const named = i === EVENTS ? result.truncatedAfter === EVENTS - 1 : result.firstBadSeq === i;
      if (result.ok || !named) missed.push(i);
    }
    expect(missed).toEqual([]);
  });

  it('catches every swap of two neighbouring rows, naming the first of them', () => {
    const missed: number[] = [];
    for (let i = 1; i < EVENTS; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      if (!a || !b) throw new Error(`rows ${i}`);
      // Contents swapped, seqs kept: what reordering looks like through `ORDER BY seq`.
      const tail = chain(
        [
          { ...b, seq: a.seq },
          { ...a, seq: b.seq },
        ],
        after(i + 1),
      );
      const result = verifyFrom(i, tail);
      if (result.ok || result.firstBadSeq !== i) missed.push(i);
    }
    expect(missed).toEqual([]);
  });

  it('catches a cut after every seq, answering truncatedAfter with it', () => {
    const missed: number[] = [];
    for (let t = 0; t < EVENTS; t++) {
      const result = verifyFrom(t + 1, []);
      if (result.ok || result.truncatedAfter !== t) missed.push(t);
    }
    expect(missed).toEqual([]);
    // Against the signed checkpoint, cuts at or before the seq it signs are caught the same way.
    const cut = replay(signed.seq - 10, signed).result();
    expect(cut).toMatchObject({ ok: false, truncatedAfter: signed.seq - 10 });
  });

  /** The attacker's tail: from position k on, events re-chained from the intact head before k. */
  function rewriteFrom(k: number, checkpoints: 'dropped' | 'kept' | 'resigned', length = EVENTS): AuditRow[] {
    const base = rows[k - 2];
    let prevHash = base ? base.hash : GENESIS_HASH;
    const out: AuditRow[] = [];
    let seq = k;
    for (let j = k - 1; seq <= length; j++) {
      const original = rows[Math.min(j, rows.length - 1)];
      if (!original) throw new Error(`row ${j}`);
      let data = JSON.parse(original.data) as Record<string, unknown>;
      const isCheckpoint = original.type === 'audit.checkpoint' && j < rows.length;
      if (isCheckpoint && checkpoints === 'dropped') continue;
      if (isCheckpoint && checkpoints === 'resigned') {
        data = signCheckpoint(attackerKey, seq - 1, prevHash, original.at);
      } else if (!isCheckpoint) {
        data = { ...data, rewritten: true };
      }
      const type = isCheckpoint
        ? 'audit.checkpoint'
        : original.type === 'audit.checkpoint'
          ? 'key.created'
          : original.type;
      const fields = { seq, at: original.at, type, actor: original.actor, subject: original.subject, data };
      const hash = chainHash(prevHash, fields);
      out.push({ ...fields, data: canonicalJson(data), prevHash, hash });
      prevHash = hash;
      seq += 1;
    }
    return out;
  }

  // Around the first and last checkpoints, mid-log, and the very last event: each rewrite re-hashes the rest.
  const SAMPLES = [2, 101, 102, 5001, 9899, 9901, 9950, 10_000];

  it.each(SAMPLES)(
    'catches a tail rewritten from event %i with its checkpoints dropped, naming the range it lies in',
    (k) => {
      const result = verifyFrom(k, rewriteFrom(k, 'dropped'));
      const lastIntactCheckpoint = Math.max(1, ...checkpointSeqs.filter((s) => s < k));
      expect(result.ok).toBe(false);
      // Nothing before the newest checkpoint that still holds is blamed; the rewrite is not missed.
      expect(result.firstBadSeq).toBe(lastIntactCheckpoint + 1);
      expect(result.firstBadSeq).toBeLessThanOrEqual(k);
      expect(result.problem).toMatch(/rewritten/);
    },
  );

  it.each(SAMPLES.filter((k) => k < 9900))(
    'catches a tail rewritten from event %i at the first checkpoint after it, kept or re-signed by another key',
    (k) => {
      for (const mode of ['kept', 'resigned'] as const) {
        // A checkpoint kept as it was at k itself still holds: its predecessor is intact.
        const next = checkpointSeqs.find((s) => (mode === 'kept' ? s > k : s >= k));
        const result = verifyFrom(k, rewriteFrom(k, mode));
        expect(result, mode).toMatchObject({ ok: false, firstBadSeq: next });
        expect(result.problem, mode).toMatch(/checkpoint that does not hold/);
      }
    },
  );

  it('catches a tail cut and re-grown past the checkpoint, and a log rewritten whole, even with no head kept', () => {
    // Cut at 9000 and re-grown with invented events to the same length: a rewrite after 9000.
    expect(verifyFrom(9001, rewriteFrom(9001, 'dropped'))).toMatchObject({ ok: false, firstBadSeq: 8902 });
    // Rewritten from event 1 (the genesis too, re-signed by a key of the attacker's): caught at 1
    // with no anchor at all, because no checkpoint in it is this install's.
    const whole = new ChainVerifier(key);
    for (const row of rewriteFrom(1, 'resigned')) whole.push(row);
    expect(whole.result()).toMatchObject({ ok: false, firstBadSeq: 1 });
    const noCheckpoints = new ChainVerifier(key);
    for (const row of rewriteFrom(1, 'dropped')) noCheckpoints.push(row);
    expect(noCheckpoints.result()).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      problem: expect.stringMatching(/no event is a checkpoint signed by this install/),
    });
  });
});

describe('the same attacks as SQL on a copy of the file, triggers dropped', () => {
  async function attacked(name: string, sql: string[]): Promise<AuditVerification> {
    const file = join(dir.dir, `${name}.db`);
    await copyFile(pristine, file);
    const { db, client, close } = await openDatabase(`file:${file}`);
    await client.executeMultiple('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
    for (const statement of sql) await client.execute(statement);
    const result = await verifyAudit(db, { key, anchor: finalHead });
    // The CLI and the API read a local file through its own read-only handle: the same verdict.
    expect(await verifyAudit(db, { key, anchor: finalHead, file })).toEqual(result);
    close();
    return result;
  }

  it.each([
    ['at', "at = '2027-01-01T00:00:00.000Z'"],
    ['type', "type = 'action.approved'"],
    ['actor', "actor = 'user:mallory@example.com'"],
    ['subject', "subject = 'act_forged'"],
    ['data', `data = '{"n":0}'`],
    // The same JSON value in other text: the stored text is what the hash covers.
    ['data (same value, other text)', "data = ' ' || data"],
    ['prev_hash', `prev_hash = '${'0'.repeat(64)}'`],
    ['hash', `hash = '${'f'.repeat(64)}'`],
  ])('names row 4321 after an UPDATE of %s', async (column, set) => {
    expect(
      await attacked(`edit-${column}`, [`UPDATE audit_events SET ${set} WHERE seq = 4321`]),
    ).toMatchObject({
      ok: false,
      firstBadSeq: 4321,
    });
  });

  it('names the row after a DELETE, a seq moved away, and a swap of two rows', async () => {
    expect(await attacked('delete', ['DELETE FROM audit_events WHERE seq = 777'])).toMatchObject({
      firstBadSeq: 777,
    });
    expect(await attacked('move', ['UPDATE audit_events SET seq = 99999 WHERE seq = 778'])).toMatchObject({
      firstBadSeq: 778,
    });
    expect(
      await attacked('swap', [
        'UPDATE audit_events SET seq = -1 WHERE seq = 300',
        'UPDATE audit_events SET seq = 300 WHERE seq = 301',
        'UPDATE audit_events SET seq = 301 WHERE seq = -1',
      ]),
    ).toMatchObject({ ok: false, firstBadSeq: 300 });
  });

  it('answers truncatedAfter after the tail is deleted', async () => {
    expect(await attacked('cut', ['DELETE FROM audit_events WHERE seq > 9500'])).toMatchObject({
      ok: false,
      truncatedAfter: 9500,
    });
  });

  it('names the range of a tail deleted and re-appended through the server’s own append code', async () => {
    const file = join(dir.dir, 'regrown.db');
    await copyFile(pristine, file);
    const { db, client, close } = await openDatabase(`file:${file}`);
    await client.executeMultiple('DROP TRIGGER audit_events_no_delete;');
    await client.execute('DELETE FROM audit_events WHERE seq >= 9950');
    await db.transaction(async (tx) => {
      const forged = Array.from({ length: 60 }, (_, i) => ({
        type: 'action.allowed' as const,
        actor: 'agent:quiet-bot',
        subject: `act_${i}`,
        data: { action: 'db.export' },
      }));
      await appendAudit(tx, Date.now(), forged);
    });
    const result = await verifyAudit(db, { key, anchor: finalHead });
    close();
    expect(result).toMatchObject({
      ok: false,
      firstBadSeq: 9902,
      problem: expect.stringMatching(/rewritten/),
    });
  });
});
