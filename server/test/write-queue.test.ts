import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCheckpoint } from '../src/audit/checkpoint';
import { checkpointKeyOf } from '../src/audit/checkpoint-key';
import { appendAudit } from '../src/audit/emit';
import { verifyAudit } from '../src/audit/verify';
import { type Database, type Db, openDatabase } from '../src/db/client';
import { actions, agents, auditEvents, grants, outbox } from '../src/db/schema';
import { afterCommit, hotOf, WriteQueue } from '../src/db/write-queue';

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

/** The two ways a queue writes: drizzle on @libsql/client (remote databases), or a local file's writer. */
const paths = [
  { path: 'drizzle on @libsql/client', queueDb: (): Db => database.db, hot: () => undefined },
  {
    path: "the local writer's connection with its hot statements",
    queueDb: (): Db => {
      if (!database.local) throw new Error('a file: database has a local store');
      return database.local.writerDb;
    },
    hot: () => database.local?.hot,
  },
];

describe.each(paths)('the write queue, through $path', ({ queueDb, hot }) => {
  it('commits jobs queued in the same turn together, in order, and chains their audit events', async () => {
    let transactions = 0;
    const db = queueDb();
    const begin = db.transaction.bind(db);
    db.transaction = ((fn, config) => {
      transactions += 1;
      return begin(fn, config);
    }) as typeof begin;
    const queue = new WriteQueue(db, 128, () => undefined, hot());
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
    const queue = new WriteQueue(queueDb(), 128, () => undefined, hot());
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

  it('appends a job of many events (past one multi-row statement) as one chain, each row as given', async () => {
    const queue = new WriteQueue(queueDb(), 128, () => undefined, hot());
    const sizes = [1, 2, 8, 9, 17];
    await Promise.all(
      sizes.map((size) =>
        queue.run((tx) =>
          appendAudit(
            tx,
            1_700_000_000_000 + size,
            Array.from({ length: size }, (_, i) => ({
              type: 'key.created' as const,
              actor: `system:${size}`,
              subject: i % 2 === 0 ? `key_${i}` : null,
              data: { size, i, nested: { b: [i], a: 'x' } },
            })),
          ),
        ),
      ),
    );
    const rows = await database.db.select().from(auditEvents).orderBy(auditEvents.seq);
    // After the genesis: every job's events in order, seq consecutive, each carrying its own fields.
    const written = rows.slice(1).map((r) => [r.seq, r.actor, r.subject, r.data]);
    const expected = sizes.flatMap((size) =>
      Array.from({ length: size }, (_, i) => [
        `system:${size}`,
        i % 2 === 0 ? `key_${i}` : null,
        // Stored as its canonical JSON text (keys sorted), the text the hash covers.
        `{"i":${i},"nested":{"a":"x","b":[${i}]},"size":${size}}`,
      ]),
    );
    expect(written).toEqual(expected.map((fields, n) => [n + 2, ...fields]));
    expect(await verifyAudit(database.db, { key })).toMatchObject({ ok: true, events: 38 });
  });

  it('runs afterCommit callbacks once their batch committed, never for a rolled-back attempt', async () => {
    const queue = new WriteQueue(queueDb(), 128, () => undefined, hot());
    const heard: Promise<[string, unknown]>[] = [];
    const insert = (name: string) =>
      queue.run(async (tx) => {
        await tx.insert(agents).values({ name, owner: 'o@example.com', createdAt: 0 });
        afterCommit(tx, () => {
          // Read at once on another connection, which sees committed rows only.
          const seen = database.client.execute({
            sql: 'SELECT count(*) FROM agents WHERE name = ?',
            args: [name],
          });
          heard.push(seen.then((r) => [name, r.rows[0]?.[0]]));
        });
        return name;
      });
    // The duplicate fails the first attempt of the whole batch; each job then runs alone.
    const results = await Promise.allSettled([insert('a'), insert('b'), insert('a')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(await Promise.all(heard)).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });
});

describe('a local database file', () => {
  it('opens every connection that writes with WAL and synchronous=FULL, pooled ones included', async () => {
    // A transaction holds its connection, so the next call borrows (opens) another from the pool.
    const held = await database.client.transaction('write');
    try {
      const [sync] = (await database.client.execute('PRAGMA synchronous')).rows;
      const [mode] = (await database.client.execute('PRAGMA journal_mode')).rows;
      expect([sync?.[0], mode?.[0]]).toEqual([2, 'wal']);
    } finally {
      held.close();
    }
    const pragmas = database.local?.pragmas() ?? [];
    expect(pragmas.length).toBeGreaterThanOrEqual(4); // writer, reader, and the pool's two
    for (const each of pragmas) expect(each).toEqual({ journalMode: 'wal', synchronous: 2 });
  });

  it('gives hot statements only to transactions the queue opens on the writer', async () => {
    const local = database.local;
    if (!local) throw new Error('a file: database has a local store');
    const onWriter = new WriteQueue(local.writerDb, 128, () => undefined, local.hot);
    const onClient = new WriteQueue(database.db);
    expect(await onWriter.run(async (tx) => hotOf(tx) === local.hot)).toBe(true);
    expect(await onClient.run(async (tx) => hotOf(tx))).toBeUndefined();
    expect(hotOf(database.db)).toBeUndefined();
    const memory = await openDatabase(':memory:');
    expect(memory.local).toBeUndefined();
    memory.close();
  });

  it('writes through the hot statements exactly the rows drizzle writes', async () => {
    const local = database.local;
    if (!local) throw new Error('a file: database has a local store');
    const row = (id: string, params: Record<string, unknown> | null) => ({
      id,
      status: 'allowed',
      action: 'db.read',
      resource: null,
      environment: 'prod',
      params,
      justification: null,
      source: 'api',
      context: { initiator: 'page', n: [1, 'two'] },
      requesterId: 'agent:bot',
      requesterOwner: 'o@example.com',
      keyId: 'key_1',
      digest: 'd'.repeat(64),
      ruleName: 'reads',
      ruleEffect: 'allow',
      policyVersion: 'v1',
      approvers: ['a@example.com', 'slack:@ops'],
      requiredApprovals: 0,
      receivedApprovals: 0,
      channel: null,
      teamsChannel: null,
      matchedCondition: 'params.n > 1',
      risk: 'high',
      stepUp: null,
      amendAllowed: 0,
      breakGlassNotify: ['#security'],
      breakGlassReviewMs: 86_400_000,
      reason: null,
      grantTtlMs: 60_000,
      callbackUrl: id.endsWith('cb') ? 'https://hooks.example.com/x' : null,
      // A column the hot insert never named by hand: it follows the schema, so this lands too.
      originalDigest: 'o'.repeat(64),
      idempotencyKey: `idem-${id}`,
      requestHash: 'h'.repeat(64),
      createdAt: 1_700_000_000_000,
      expiresAt: null,
      decidedAt: 1_700_000_000_000,
    });
    const grant = (id: string, actionId: string) => ({
      id,
      actionId,
      tokenHash: `t${id}`,
      digest: 'd'.repeat(64),
      createdAt: 1,
      expiresAt: 2,
      redeemedAt: null,
      redeemKey: null,
      redeemKeyId: null,
    });
    const out = (id: string, actionId: string) => ({
      id,
      sink: 'webhook',
      actionId,
      event: 'action.allowed',
      payload: { actor: 'agent:bot', nested: { a: [1] } },
      nextAttemptAt: 5,
      createdAt: 5,
    });
    await new WriteQueue(database.db).run(async (tx) => {
      await tx.insert(actions).values([row('act_drizzle', { a: 1 }), row('act_drizzle_cb', null)]);
      await tx.insert(grants).values(grant('grt_drizzle', 'act_drizzle'));
      await tx.insert(outbox).values(out('out_drizzle', 'act_drizzle'));
    });
    await new WriteQueue(local.writerDb, 128, () => undefined, local.hot).run(async (tx) => {
      const hot = hotOf(tx);
      if (!hot) throw new Error('the writer queue has hot statements');
      hot.insertAction(row('act_hot', { a: 1 }));
      hot.insertAction(row('act_hot_cb', null));
      hot.insertGrant(grant('grt_hot', 'act_hot'));
      hot.insertOutbox(out('out_hot', 'act_hot'), false);
      // Only a request that names a callbackUrl gets a callback-only row.
      hot.insertOutbox(out('out_hot_none', 'act_hot'), true);
      hot.insertOutbox(out('out_hot_cb', 'act_hot_cb'), true);
      expect(hot.findIdempotent('agent:bot', 'idem-act_hot')?.id).toBe('act_hot');
    });
    const read = async (table: string, id: string) => {
      const { columns, rows } = await database.client.execute({
        sql: `SELECT * FROM ${table} WHERE id = ?`,
        args: [id],
      });
      const [values] = rows;
      // Every column but the ones that name the row itself (its id, its idempotency key).
      const skip = new Set(['id', 'idempotency_key']);
      return values && Object.fromEntries(columns.flatMap((c, i) => (skip.has(c) ? [] : [[c, values[i]]])));
    };
    expect(await read('actions', 'act_hot')).toEqual(await read('actions', 'act_drizzle'));
    expect(await read('actions', 'act_hot_cb')).toEqual(await read('actions', 'act_drizzle_cb'));
    expect({ ...(await read('grants', 'grt_hot')), token_hash: '' }).toEqual({
      ...(await read('grants', 'grt_drizzle')),
      token_hash: '',
      action_id: 'act_hot',
    });
    expect({ ...(await read('outbox', 'out_hot')), action_id: '' }).toEqual({
      ...(await read('outbox', 'out_drizzle')),
      action_id: '',
    });
    expect(await read('outbox', 'out_hot_none')).toBeUndefined();
    expect(await read('outbox', 'out_hot_cb')).toMatchObject({ action_id: 'act_hot_cb', attempts: 0 });
  });
});
