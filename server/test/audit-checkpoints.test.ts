import type { AuditCheckpoint, AuditEvent } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { checkpointKeyOf } from '../src/audit/checkpoint-key';
import { auditEvents, serverForTest, submit, type TestServer } from './harness';

const checkpoints = (events: AuditEvent[]) => events.filter((e) => e.type === 'audit.checkpoint');

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withLoad(t: TestServer, count: number) {
  const agent = await t.agentKey('bot', 'alice@example.com');
  for (let i = 0; i < count; i++) await submit(t, agent, { action: 'db.getStats' });
}

describe('the server signs audit checkpoints as it runs', () => {
  it('every N events: each checkpoint signs the event before it with the install key', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS: '10' } });
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    await withLoad(t, 20); // 40 events: submitted + allowed (+ a grant each)
    const events = await until(
      () => auditEvents(t, auditor),
      (all) => checkpoints(all).length >= 4,
    );
    const signed = checkpoints(events);
    expect(signed.length).toBeGreaterThanOrEqual(4);
    const key = checkpointKeyOf(t.server.core.secret);
    for (const event of signed) {
      const c = event.data as AuditCheckpoint;
      expect(c).toMatchObject({
        seq: event.seq - 1,
        head: event.prevHash,
        keyId: key.keyId,
        publicKey: key.publicKey,
      });
    }
    // Spaced about N apart: never two in a row, never more than N + a batch between them.
    for (const [i, event] of signed.entries()) {
      const previous = signed[i - 1];
      if (previous) expect(event.seq - previous.seq).toBeGreaterThanOrEqual(10);
    }
  });

  it('every M minutes when something was appended, and not when nothing was', async (test) => {
    const t = await serverForTest(test, {
      env: { COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS: '100000', COUNTERSIGN_AUDIT_CHECKPOINT_MINUTES: '0.01' },
    });
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const events = await until(
      () => auditEvents(t, auditor),
      (all) => all.at(-1)?.type === 'audit.checkpoint',
    );
    expect(events.at(-1)?.type).toBe('audit.checkpoint');
    const settled = events.length;
    await new Promise((r) => setTimeout(r, 2_000));
    // Idle: a checkpoint of a checkpoint would only add noise.
    expect(await auditEvents(t, auditor)).toHaveLength(settled);
  });

  it('refuses to sign a tail someone edited in the file since the last checkpoint', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS: '5' } });
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const first = await until(
      () => auditEvents(t, auditor),
      () => true,
    );
    const db = t.rawDb();
    await db.execute('DROP TRIGGER audit_events_no_update');
    const last = first.at(-1);
    if (!last) throw new Error('no events');
    await db.execute({
      sql: "UPDATE audit_events SET actor = 'user:mallory@example.com' WHERE seq = ?",
      args: [last.seq],
    });
    await withLoad(t, 10);
    await new Promise((r) => setTimeout(r, 500));
    const after = await auditEvents(t, auditor);
    expect(checkpoints(after).filter((e) => e.seq > last.seq)).toEqual([]);
    const verify = await t.call<{ ok: boolean; firstBadSeq: number }>('GET', '/v1/audit/verify', {
      key: auditor,
    });
    expect(verify.body).toMatchObject({ ok: false, firstBadSeq: last.seq });
  });
});
