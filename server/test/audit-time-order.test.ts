import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../src/audit/checkpoint';
import { checkpointKeyOf } from '../src/audit/checkpoint-key';
import { appendAudit } from '../src/audit/emit';
import { verifyAudit } from '../src/audit/verify';
import { type Database, type Db, openDatabase } from '../src/db/client';
import { auditEvents } from '../src/db/schema';
import { WriteQueue } from '../src/db/write-queue';
import { startTestServer } from './harness';

// Auditors sort by time: an event's `at` never goes back before the event it follows in the chain.

const key = checkpointKeyOf(Buffer.alloc(32, 7));
const T0 = Date.parse('2026-11-30T22:48:31.672Z');
const iso = (ms: number) => new Date(ms).toISOString();

let dir: string;
let database: Database;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'countersign-audit-time-'));
  database = await openDatabase(`file:${join(dir, 'a.db')}`);
  await writeCheckpoint(database.db, { key, at: T0, actor: 'system:test' });
});
afterEach(async () => {
  database.close();
  await rm(dir, { recursive: true, force: true });
});

const times = async () =>
  (await database.db.select({ at: auditEvents.at }).from(auditEvents).orderBy(asc(auditEvents.seq))).map(
    (r) => r.at,
  );

const paths = [
  { path: 'drizzle on @libsql/client', queueDb: (): Db => database.db, hot: () => undefined },
  {
    path: "the local writer's hot statements",
    queueDb: (): Db => {
      if (!database.local) throw new Error('a file: database has a local store');
      return database.local.writerDb;
    },
    hot: () => database.local?.hot,
  },
];

describe.each(paths)("an audit event's time, through $path", ({ queueDb, hot }) => {
  it('an append with an earlier time takes the head’s; a later one keeps its own', async () => {
    const queue = new WriteQueue(queueDb(), 128, () => undefined, hot());
    await queue.run((tx) => appendAudit(tx, T0 - 322, [{ type: 'policy.loaded', actor: 'system:server' }]));
    await queue.run((tx) => appendAudit(tx, T0 + 5, [{ type: 'key.created', actor: 'system:cli' }]));
    expect(await times()).toEqual([iso(T0), iso(T0), iso(T0 + 5)]);
  });

  it('within one transaction too: a second job batched behind a later one is not earlier', async () => {
    const queue = new WriteQueue(queueDb(), 128, () => undefined, hot());
    // Queued in the same turn: one batch, one transaction, the head carried from job to job.
    await Promise.all([
      queue.run((tx) => appendAudit(tx, T0 + 50, [{ type: 'key.created', actor: 'a' }])),
      queue.run((tx) => appendAudit(tx, T0 + 10, [{ type: 'key.created', actor: 'b' }])),
    ]);
    expect(await times()).toEqual([iso(T0), iso(T0 + 50), iso(T0 + 50)]);
  });

  it('a checkpoint signed at an earlier time signs the head’s time, and the log still verifies', async () => {
    const queue = new WriteQueue(queueDb(), 128, () => undefined, hot());
    await queue.run((tx) => appendAudit(tx, T0 + 60_000, [{ type: 'key.created', actor: 'a' }]));
    const outcome = await queue.run((tx) => writeCheckpoint(tx, { key, at: T0 + 1, actor: 'system:server' }));
    expect(outcome).toMatchObject({ written: true, checkpoint: { at: iso(T0 + 60_000) } });
    expect(await times()).toEqual([iso(T0), iso(T0 + 60_000), iso(T0 + 60_000)]);
    expect(await verifyAudit(database.db, { key })).toMatchObject({ ok: true, events: 3 });
  });
});

describe('a fresh server', () => {
  it('its first events (genesis checkpoint, policy loaded) never go back in time', async () => {
    const t = await startTestServer();
    try {
      const rows = await t.rawDb().execute('SELECT seq, type, at FROM audit_events ORDER BY seq');
      const events = rows.rows.map((r) => ({ seq: r[0], type: r[1], at: String(r[2]) }));
      expect(events.map((e) => e.type).slice(0, 2)).toEqual(['audit.checkpoint', 'policy.loaded']);
      // Same-format ISO strings: sorted as text is sorted in time.
      const at = events.map((e) => e.at);
      expect(at, JSON.stringify(events)).toEqual([...at].sort());
    } finally {
      await t.stop();
    }
  });
});
