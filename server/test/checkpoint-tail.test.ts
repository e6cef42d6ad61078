// The server checks the audit tail before it takes the writer (checkTail), and the write transaction
// checks only what was appended since: these hold that signing still covers every event, whatever
// happens between the two.
import { describe, expect, it } from 'vitest';
import { checkTail, writeCheckpoint } from '../src/audit/checkpoint';
import { checkpointKeyOf } from '../src/audit/checkpoint-key';
import { readAuditHead } from '../src/audit/emit';
import { filePathOf } from '../src/secret';
import { checkpointAudit } from '../src/services/audit/checkpoint-audit';
import { serverForTest, submit, type TestServer } from './harness';

const system = (t: TestServer) => ({
  core: t.server.core,
  actor: { kind: 'system', id: 'system:cli' } as const,
});

async function started(test: Parameters<typeof serverForTest>[0]) {
  // No checkpoints of the server's own: the test decides when one is written.
  const t = await serverForTest(test, {
    env: { COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS: '1000000', COUNTERSIGN_AUDIT_CHECKPOINT_MINUTES: '1440' },
  });
  const agent = await t.agentKey('bot', 'alice@example.com');
  const load = async (count: number) => {
    for (let i = 0; i < count; i++) await submit(t, agent, { action: 'db.getStats' });
  };
  const key = checkpointKeyOf(t.server.core.secret);
  const db = t.server.core.database.db;
  const write = (checked: Awaited<ReturnType<typeof checkTail>>) =>
    t.server.core.writes.run((tx) =>
      writeCheckpoint(tx, { key, at: Date.now(), actor: 'system:test', checked }),
    );
  const tamper = async (seq: number) => {
    const raw = t.rawDb();
    await raw.execute('DROP TRIGGER IF EXISTS audit_events_no_update');
    await raw.execute({
      sql: "UPDATE audit_events SET actor = 'user:mallory@example.com' WHERE seq = ?",
      args: [seq],
    });
  };
  return { t, load, key, db, write, tamper, file: filePathOf(`file:${t.dbFile}`) };
}

describe('audit checkpoints: the tail is checked before the write transaction', () => {
  it('the file path and the drizzle path find the same tail, and the checkpoint signs the head', async (test) => {
    const { t, load, key, db, write, file } = await started(test);
    await load(30);
    const head = await readAuditHead(db);
    const fromFile = await checkTail(db, { key, file });
    const fromDb = await checkTail(db, { key });
    expect(fromFile).toEqual(fromDb);
    expect(fromFile).toMatchObject({ seq: head.seq, hash: head.hash });
    expect(fromFile?.lastCheckpoint).not.toBeNull();
    const outcome = await write(fromFile);
    expect(outcome).toMatchObject({ written: true, checkpoint: { seq: head.seq, head: head.hash } });
    // What it signed verifies end to end.
    const verify = await t.call<{ ok: boolean }>('GET', '/v1/audit/verify', {
      key: await t.userKey('audra@example.com', ['audit:read']),
    });
    expect(verify.body.ok).toBe(true);
  });

  it('events appended after the check are checked in the transaction: an edited one is refused', async (test) => {
    const { load, key, db, write, tamper, file } = await started(test);
    await load(10);
    const checked = await checkTail(db, { key, file });
    if (!checked) throw new Error('nothing checked');
    await load(5);
    const head = await readAuditHead(db);
    await tamper(head.seq - 1);
    const outcome = await write(checked);
    expect(outcome).toMatchObject({ written: false, refused: expect.stringContaining(`${head.seq - 1}`) });
  });

  it('a tail rewritten after the check (every hash recomputed) does not link to what was checked', async (test) => {
    const { t, load, key, db, write, file } = await started(test);
    await load(10);
    const checked = await checkTail(db, { key, file });
    if (!checked) throw new Error('nothing checked');
    // The checked head itself is replaced with another hash: the next event no longer links to it.
    const raw = t.rawDb();
    await raw.execute('DROP TRIGGER IF EXISTS audit_events_no_update');
    await raw.execute({
      sql: 'UPDATE audit_events SET hash = ? WHERE seq = ?',
      args: ['f'.repeat(64), checked.seq],
    });
    expect(await write(checked)).toMatchObject({ written: false });
    await load(2);
    expect(await write(checked)).toMatchObject({ written: false });
  });

  it('a checkpoint written by someone else in between: the transaction checks from that one instead', async (test) => {
    const { t, load, key, db, write, file } = await started(test);
    await load(10);
    const stale = await checkTail(db, { key, file });
    if (!stale) throw new Error('nothing checked');
    // The operator signs at the CLI meanwhile.
    expect(await checkpointAudit({ ctx: system(t), input: { minEvents: 1 } })).toMatchObject({
      written: true,
    });
    await load(3);
    const head = await readAuditHead(db);
    const outcome = await write(stale);
    expect(outcome).toMatchObject({ written: true, checkpoint: { seq: head.seq, head: head.hash } });
  });

  it('a tail that does not hold is not vouched for: the transaction checks it all and names the event', async (test) => {
    const { load, key, db, write, tamper, file } = await started(test);
    await load(10);
    const head = await readAuditHead(db);
    await tamper(head.seq - 3);
    expect(await checkTail(db, { key, file })).toBeUndefined();
    expect(await checkTail(db, { key })).toBeUndefined();
    expect(await write(undefined)).toMatchObject({
      written: false,
      refused: `event ${head.seq - 3} was altered`,
    });
  });
});
