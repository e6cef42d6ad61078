import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../src/audit/checkpoint';
import { checkpointKeyOf } from '../src/audit/checkpoint-key';
import { appendAudit } from '../src/audit/emit';
import { verifyAudit } from '../src/audit/verify';
import { type Database, openDatabase } from '../src/db/client';
import { agents, auditEvents } from '../src/db/schema';
import { WriteQueue } from '../src/db/write-queue';

let dir: string;
let database: Database;
const key = checkpointKeyOf(Buffer.alloc(32, 7));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'countersign-queue-'));
  database = await openDatabase(`file:${join(dir, 'q.db')}`);
  // A log starts with its signed genesis (as openCore writes it); verify refuses a log without one.
  await writeCheckpoint(database.db, { key, at: Date.now(), actor: 'system:test' });
});
afterEach(async () => {
  database.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the write queue', () => {
  it('commits jobs queued in the same turn together, in order, and chains their audit events', async () => {
    let transactions = 0;
    const begin = database.db.transaction.bind(database.db);
    database.db.transaction = ((fn, config) => {
      transactions += 1;
      return begin(fn, config);
    }) as typeof begin;
    const queue = new WriteQueue(database.db);
    const seen: number[] = [];
    const jobs = Array.from({ length: 10 }, (_, i) =>
      queue.run(async (tx) => {
        // Every job sees the events of the jobs before it in the same transaction (after the genesis).
        const [row] = await tx.select({ n: count() }).from(auditEvents);
        seen.push(row?.n ?? -1);
        await appendAudit(tx, Date.now(), [{ type: 'key.created', actor: 'system:test', data: { i } }]);
        return i;
      }),
    );
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(transactions).toBe(1); // ten jobs, one commit: the group commit
    expect(await verifyAudit(database.db, { key })).toMatchObject({ ok: true, events: 11 });
  });

  it('fails only the job that throws; its neighbours in the batch still commit', async () => {
    const queue = new WriteQueue(database.db);
    const insert = (name: string) =>
      queue.run(async (tx) => {
        await tx.insert(agents).values({ name, owner: 'o@example.com', createdAt: 0 });
        await appendAudit(tx, Date.now(), [{ type: 'key.created', actor: 'system:test', data: { name } }]);
        return name;
      });
    const results = await Promise.allSettled([insert('a'), insert('b'), insert('a'), insert('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const [rows] = await database.db.select({ n: count() }).from(agents);
    expect(rows?.n).toBe(3);
    expect(await database.db.select().from(agents).where(eq(agents.name, 'a'))).toHaveLength(1);
    expect(await verifyAudit(database.db, { key })).toMatchObject({ ok: true, events: 4 });
  });
});
