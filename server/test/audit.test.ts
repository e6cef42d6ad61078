import {
  type ActionRequest,
  type AuditEvent,
  AuditEvent as AuditEventSchema,
  type AuditVerification,
} from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { appendAudit } from '../src/audit/emit';
import { exportAudit } from '../src/services/audit/export-audit';
import { authenticate } from '../src/services/keys/authenticate';
import { auditEvents, expectError, keyIdOf, review, serverForTest, submit, type TestServer } from './harness';

const POLICY = `
version: 1
groups:
  owners: [alice@example.com, carol@example.com, dan@example.com]
defaults: { timeout: 15m, grantTtl: 5m }
rules:
  - name: reads-are-free
    match: { action: "**.get*" }
    effect: allow
  - name: no-drops
    match: { action: "db.drop*" }
    effect: deny
    reason: Never from automation.
default: { effect: review, approvers: [owners], minApprovals: 2 }
`;

const start = (test: TestContext) => serverForTest(test, { policy: POLICY });

/** [type, actor, subject] of each event, for comparing sequences at a glance. */
const brief = (events: AuditEvent[]) => events.map((e) => [e.type, e.actor, e.subject]);

const verify = async (t: TestServer, key: string) => {
  const reply = await t.call<AuditVerification>('GET', '/v1/audit/verify', { key });
  expect(reply.status).toBe(200);
  return reply.body;
};

/** Plays one of every state change and both refusals; returns what a reader needs to check the log. */
async function playLifecycle(t: TestServer) {
  const agent = await t.agentKey('billing-bot', 'alice@example.com');
  const alice = await t.userKey('alice@example.com');
  const carol = await t.userKey('carol@example.com');
  const dan = await t.userKey('dan@example.com');
  const mallory = await t.userKey('mallory@example.com');
  const auditor = await t.userKey('audra@example.com', ['audit:read']);

  const approved = await submit(t, agent, { action: 'db.export', resource: 'customers/eu' });
  expectError(await review(t, alice, approved.id, 'approve'), 403, 'self_approval');
  expectError(await review(t, mallory, approved.id, 'approve'), 403, 'not_an_approver');
  expect((await review(t, carol, approved.id, 'approve', 'ok')).status).toBe(200);
  expect((await review(t, dan, approved.id, 'approve')).status).toBe(200);
  const seen = await t.call<ActionRequest>('GET', `/v1/actions/${approved.id}`, { key: agent });
  const redeem = { token: seen.body.grant?.token, digest: approved.digest };
  expect((await t.call('POST', '/v1/grants/redeem', { key: agent, body: redeem })).status).toBe(200);

  const cancelled = await submit(t, agent, { action: 'db.vacuum' });
  expect((await t.call('POST', `/v1/actions/${cancelled.id}/cancel`, { key: agent })).status).toBe(200);
  const denied = await submit(t, agent, { action: 'db.reindex' });
  expect((await review(t, carol, denied.id, 'deny', 'not during close')).status).toBe(200);
  const allowed = await submit(t, agent, { action: 'db.getStats' });
  const blocked = await submit(t, agent, { action: 'db.dropTable' });
  await t.revokeKey(mallory);

  return { agent, auditor, mallory, ids: { approved, cancelled, denied, allowed, blocked } };
}

describe('the audit log records every state change', () => {
  it('in order, each with its actor and subject, from policy.loaded at start to key revocation', async (test) => {
    const t = await start(test);
    const { auditor, mallory, ids } = await playLifecycle(t);
    const events = await auditEvents(t, auditor);

    const cli = 'system:cli';
    const bot = 'agent:billing-bot';
    // The agent's key, then alice, carol, dan, mallory and the auditor.
    const keyCreated = Array.from({ length: 6 }, () => ['key.created', cli, expect.stringMatching(/^key_/)]);
    expect(brief(events)).toEqual([
      ['audit.checkpoint', 'system:server', null],
      ['policy.loaded', 'system:server', expect.stringMatching(/^sha256:/)],
      ...keyCreated,
      ['action.submitted', bot, ids.approved.id],
      ['review.refused', 'user:alice@example.com', ids.approved.id],
      ['review.refused', 'user:mallory@example.com', ids.approved.id],
      ['review.recorded', 'user:carol@example.com', ids.approved.id],
      ['review.recorded', 'user:dan@example.com', ids.approved.id],
      ['action.approved', 'user:dan@example.com', ids.approved.id],
      ['grant.issued', 'user:dan@example.com', ids.approved.id],
      ['grant.redeemed', bot, ids.approved.id],
      ['action.submitted', bot, ids.cancelled.id],
      ['action.cancelled', bot, ids.cancelled.id],
      ['action.submitted', bot, ids.denied.id],
      ['review.recorded', 'user:carol@example.com', ids.denied.id],
      ['action.denied', 'user:carol@example.com', ids.denied.id],
      ['action.allowed', bot, ids.allowed.id],
      ['grant.issued', 'system:server', ids.allowed.id],
      ['action.blocked', bot, ids.blocked.id],
      ['key.revoked', cli, keyIdOf(mallory)],
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const [i, event] of events.entries()) {
      expect(event.prevHash).toBe(i === 0 ? '0'.repeat(64) : events[i - 1]?.hash);
    }
  });

  it('names the refusal code on each refused review', async (test) => {
    const t = await start(test);
    const { auditor, ids } = await playLifecycle(t);
    const refused = await auditEvents(t, auditor, 'type=review.refused');
    expect(refused.map((e) => [e.actor, e.subject, e.data.code, e.data.decision])).toEqual([
      ['user:alice@example.com', ids.approved.id, 'self_approval', 'approve'],
      ['user:mallory@example.com', ids.approved.id, 'not_an_approver', 'approve'],
    ]);
  });

  it('refuses and audits a deny by the agent’s owner as self_approval, as it does an approve', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const alice = await t.userKey('alice@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'db.export' });
    expectError(await review(t, alice, req.id, 'deny', 'my own bot, my call'), 403, 'self_approval');
    const refused = await auditEvents(t, auditor, 'type=review.refused');
    expect(refused.map((e) => [e.actor, e.data.code, e.data.decision])).toEqual([
      ['user:alice@example.com', 'self_approval', 'deny'],
    ]);
    const after = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent });
    expect(after.body.status).toBe('pending');
  });

  it('audits a refused review of an already-decided request and of a second review', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const carol = await t.userKey('carol@example.com');
    const dan = await t.userKey('dan@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'db.export' });
    await review(t, carol, req.id, 'approve');
    expectError(await review(t, carol, req.id, 'approve'), 409, 'already_reviewed');
    await review(t, dan, req.id, 'deny', 'no');
    expectError(await review(t, carol, req.id, 'approve'), 409, 'not_pending');
    const refused = await auditEvents(t, auditor, 'type=review.refused');
    expect(refused.map((e) => e.data.code)).toEqual(['already_reviewed', 'not_pending']);
  });

  it('records the key, principal and scopes of a created key and the key of a revoked one', async (test) => {
    const t = await start(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const bot = await t.agentKey('ops-bot', 'alice@example.com');
    await t.revokeKey(bot);
    const events = await auditEvents(t, auditor, 'type=key.created,key.revoked');
    expect(events.map((e) => [e.type, e.subject, e.data])).toEqual([
      [
        'key.created',
        keyIdOf(auditor),
        { keyId: keyIdOf(auditor), principal: 'user:audra@example.com', scopes: ['audit:read'] },
      ],
      [
        'key.created',
        keyIdOf(bot),
        { keyId: keyIdOf(bot), principal: 'agent:ops-bot', scopes: ['actions:write'] },
      ],
      ['key.revoked', keyIdOf(bot), { keyId: keyIdOf(bot), principal: 'agent:ops-bot' }],
    ]);
  });

  it('starts with the signed genesis, then the policy in force at start with the version /readyz reports', async (test) => {
    const t = await start(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const [genesis, first] = await auditEvents(t, auditor);
    const ready = await t.call<{ policyVersion: string }>('GET', '/readyz');
    expect(genesis).toMatchObject({
      seq: 1,
      type: 'audit.checkpoint',
      data: { seq: 0, head: '0'.repeat(64) },
    });
    expect(first?.seq).toBe(2);
    expect(first?.type).toBe('policy.loaded');
    expect(first?.data.version).toBe(ready.body.policyVersion);
  });
});

describe('GET /v1/audit filters', () => {
  it('filters by a list of types, by actor and by action name', async (test) => {
    const t = await start(test);
    const { auditor, ids } = await playLifecycle(t);
    const all = await auditEvents(t, auditor);

    const types = await auditEvents(t, auditor, 'type=action.cancelled,action.denied');
    expect(brief(types)).toEqual([
      ['action.cancelled', 'agent:billing-bot', ids.cancelled.id],
      ['action.denied', 'user:carol@example.com', ids.denied.id],
    ]);
    // Repeated, as a client building the URL from a list sends it: the same filter.
    expect(await auditEvents(t, auditor, 'type=action.cancelled&type=action.denied')).toEqual(types);
    expect(
      await auditEvents(t, auditor, 'type=action.cancelled&type=action.denied,action.cancelled'),
    ).toEqual(types);

    const byCarol = await auditEvents(t, auditor, `actor=${encodeURIComponent('user:carol@example.com')}`);
    expect(byCarol).toEqual(all.filter((e) => e.actor === 'user:carol@example.com'));
    expect(byCarol.length).toBe(3);

    const exports = await auditEvents(t, auditor, 'action=db.export');
    expect(exports).toEqual(all.filter((e) => e.data.action === 'db.export'));
    expect(new Set(exports.map((e) => e.subject))).toEqual(new Set([ids.approved.id]));

    const combined = await auditEvents(t, auditor, 'type=review.recorded&action=db.export');
    expect(combined.map((e) => e.actor)).toEqual(['user:carol@example.com', 'user:dan@example.com']);
  });

  it('filters by since and until, both inclusive', async (test) => {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const all = await auditEvents(t, auditor);
    const middle = all[Math.floor(all.length / 2)];
    if (!middle) throw new Error('no events');
    const at = encodeURIComponent(middle.at);
    const since = await auditEvents(t, auditor, `since=${at}`);
    const until = await auditEvents(t, auditor, `until=${at}`);
    expect(since).toEqual(all.filter((e) => e.at >= middle.at));
    expect(until).toEqual(all.filter((e) => e.at <= middle.at));
    expect(since.map((e) => e.seq)).toContain(middle.seq);
    expect(until.map((e) => e.seq)).toContain(middle.seq);
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    expect(await auditEvents(t, auditor, `since=${future}`)).toEqual([]);
  });

  it('names an unknown type at `type`, in a list or repeated', async (test) => {
    const t = await start(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    for (const query of ['type=action.exploded', 'type=action.submitted,action.exploded', 'type=a&type=b']) {
      const error = expectError(
        await t.call('GET', `/v1/audit?${query}`, { key: auditor }),
        400,
        'invalid_request',
        query,
      );
      expect(
        error.details?.map((d) => d.path),
        query,
      ).toEqual(['type']);
      expect(error.details?.[0]?.message, query).toMatch(/^unknown event type "/);
    }
  });

  it('refuses an unknown type, a malformed time or format, an unknown parameter: 400 naming it', async (test) => {
    const t = await start(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    for (const [query, field] of [
      ['type=action.submitted,action.exploded', 'type'],
      ['since=yesterday', 'since'],
      ['until=2024-13-45', 'until'],
      ['format=xml', 'format'],
      // A parameter this route does not take is a mistake to name, not a filter to drop silently:
      // `limit=abc` is no page size here, and a typo for `actor` would otherwise return everything.
      ['limit=abc', 'limit'],
      ['actr=user:carol@example.com', 'actr'],
      ['actor=user:carol@example.com&actr=x', 'actr'],
    ]) {
      const error = expectError(
        await t.call('GET', `/v1/audit?${query}`, { key: auditor }),
        400,
        'invalid_request',
        query,
      );
      expect(
        error.details?.map((d) => d.path.split('.')[0]),
        query,
      ).toContain(field);
    }
  });
});

describe('GET /v1/audit/verify parameters', () => {
  it('refuses a parameter it does not take: 400 naming it', async (test) => {
    const t = await start(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const error = expectError(
      await t.call('GET', '/v1/audit/verify?haed=1:abc', { key: auditor }),
      400,
      'invalid_request',
    );
    expect(error.details?.map((d) => d.path)).toEqual(['haed']);
  });
});

describe('GET /v1/audit formats', () => {
  const raw = async (t: TestServer, key: string, query: string) => {
    const res = await fetch(`${t.url}/v1/audit?${query}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it('streams JSON as {events: [...]}', async (test) => {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const res = await raw(t, auditor, 'format=json');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    const body = JSON.parse(res.text) as { events: unknown[] };
    expect(Object.keys(body)).toEqual(['events']);
    for (const event of body.events) expect(AuditEventSchema.safeParse(event).success).toBe(true);
  });

  it('streams NDJSON as one event per line, the same events as JSON', async (test) => {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const json = await auditEvents(t, auditor);
    const res = await raw(t, auditor, 'format=ndjson');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/x-ndjson/);
    expect(res.text.endsWith('\n')).toBe(true);
    const lines = res.text.trimEnd().split('\n');
    expect(lines).toHaveLength(json.length);
    expect(lines.map((line) => AuditEventSchema.parse(JSON.parse(line)))).toEqual(json);
  });

  it('streams CSV with a header row and one row per event', async (test) => {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const json = await auditEvents(t, auditor, 'type=review.recorded,action.denied');
    const res = await raw(t, auditor, 'format=csv&type=review.recorded,action.denied');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const [header, ...rows] = res.text.trimEnd().split('\n');
    expect(header).toBe('seq,at,type,actor,subject,data,prevHash,hash');
    expect(rows).toHaveLength(json.length);
    for (const [i, row] of rows.entries()) {
      const event = json[i];
      expect(
        row.startsWith(`${event?.seq},${event?.at},${event?.type},${event?.actor},${event?.subject},`),
      ).toBe(true);
      expect(row.endsWith(`,${event?.prevHash},${event?.hash}`)).toBe(true);
    }
  });
});

describe('GET /v1/audit/verify', () => {
  it('answers ok with the event count and the head hash on an untouched log', async (test) => {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const events = await auditEvents(t, auditor);
    const result = await verify(t, auditor);
    expect(result).toEqual({
      ok: true,
      events: events.length,
      head: events.at(-1)?.hash,
      lastCheckpoint: { seq: 0, at: events[0]?.at },
    });
  });

  it('checks the log against a signed checkpoint given as base64url JSON or as seq:hash', async (test) => {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const events = await auditEvents(t, auditor);
    const genesis = events[0]?.data;
    const asParam = Buffer.from(JSON.stringify(genesis)).toString('base64url');
    expect((await verifyAgainst(t, auditor, asParam)).body).toMatchObject({
      ok: true,
      events: events.length,
    });
    const mid = events[5];
    if (!mid) throw new Error('no events');
    expect((await verifyAgainst(t, auditor, `${mid.seq}:${mid.hash}`)).body).toMatchObject({ ok: true });
    // A head the log never reaches: it was cut after its last event.
    const beyond = `${events.length + 7}:${'a'.repeat(64)}`;
    expect((await verifyAgainst(t, auditor, beyond)).body).toMatchObject({
      ok: false,
      truncatedAfter: events.length,
      firstBadSeq: events.length + 1,
    });
    // A head the log reaches with another hash: rewritten at or before it.
    expect((await verifyAgainst(t, auditor, `${mid.seq}:${'b'.repeat(64)}`)).body).toMatchObject({
      ok: false,
      firstBadSeq: 2,
      problem: expect.stringMatching(/rewritten/),
    });
  });

  it('refuses a malformed head, and a checkpoint signed by another key, with 400 naming head', async (test) => {
    const t = await start(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const events = await auditEvents(t, auditor);
    const genesis = events[0]?.data as Record<string, unknown>;
    const forged = { ...genesis, signature: `${'A'.repeat(85)}w` };
    const otherKey = { ...genesis, keyId: '0123456789abcdef' };
    for (const head of [
      'nonsense',
      '12:abc',
      Buffer.from(JSON.stringify(forged)).toString('base64url'),
      Buffer.from(JSON.stringify(otherKey)).toString('base64url'),
      `0:${'c'.repeat(64)}`,
    ]) {
      const error = expectError(await verifyAgainst(t, auditor, head), 400, 'invalid_request', head);
      expect(error.details?.map((d) => d.path)).toContain('head');
    }
    // Authorization comes before the head is read.
    const agent = await t.agentKey('bot', 'alice@example.com');
    expectError(await verifyAgainst(t, agent, 'nonsense'), 403, 'forbidden');
  });
});

const verifyAgainst = (t: TestServer, key: string, head: string) =>
  t.call<AuditVerification>('GET', `/v1/audit/verify?head=${encodeURIComponent(head)}`, { key });

describe('tamper detection through a second connection to the database file', () => {
  async function tamperable(test: TestContext) {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const events = await auditEvents(t, auditor);
    const db = t.rawDb();
    // An attacker with the file drops the append-only triggers first.
    await db.executeMultiple('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
    const middle = events[Math.floor(events.length / 2)];
    if (!middle) throw new Error('no events');
    return { t, auditor, db, events, middle };
  }

  it('names the edited row when one event’s data is changed', async (test) => {
    const { t, auditor, db, middle } = await tamperable(test);
    const data = JSON.stringify({ ...middle.data, action: 'harmless.thing' });
    await db.execute({ sql: 'UPDATE audit_events SET data = ? WHERE seq = ?', args: [data, middle.seq] });
    const result = await verify(t, auditor);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(middle.seq);
  });

  it('names the edited row when one event’s actor is changed', async (test) => {
    const { t, auditor, db, middle } = await tamperable(test);
    await db.execute({
      sql: "UPDATE audit_events SET actor = 'user:nobody@example.com' WHERE seq = ?",
      args: [middle.seq],
    });
    const result = await verify(t, auditor);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(middle.seq);
  });

  it('names the deleted sequence number when a middle row is deleted', async (test) => {
    const { t, auditor, db, middle } = await tamperable(test);
    await db.execute({ sql: 'DELETE FROM audit_events WHERE seq = ?', args: [middle.seq] });
    const result = await verify(t, auditor);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(middle.seq);
  });

  it('names the lower sequence number when two rows’ contents are swapped', async (test) => {
    const { t, auditor, db, middle } = await tamperable(test);
    const low = middle.seq;
    const high = middle.seq + 3;
    const columns = 'at, type, actor, subject, data, prev_hash, hash';
    const { rows } = await db.execute({
      sql: `SELECT seq, ${columns} FROM audit_events WHERE seq IN (?, ?) ORDER BY seq`,
      args: [low, high],
    });
    const [a, b] = rows;
    if (!a || !b) throw new Error('rows to swap not found');
    const put = (seq: number, r: typeof a) =>
      db.execute({
        sql: 'UPDATE audit_events SET at = ?, type = ?, actor = ?, subject = ?, data = ?, prev_hash = ?, hash = ? WHERE seq = ?',
        args: [
          r.at ?? null,
          r.type ?? null,
          r.actor ?? null,
          r.subject ?? null,
          r.data ?? null,
          r.prev_hash ?? null,
          r.hash ?? null,
          seq,
        ],
      });
    await put(low, b);
    await put(high, a);
    const result = await verify(t, auditor);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(low);
  });

  it('is refused an UPDATE and a DELETE by the triggers while they are present', async (test) => {
    const t = await start(test);
    const { auditor } = await playLifecycle(t);
    const db = t.rawDb();
    await expect(db.execute("UPDATE audit_events SET actor = 'x' WHERE seq = 2")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.execute('DELETE FROM audit_events WHERE seq = 2')).rejects.toThrow(/append-only/);
    await expect(db.execute('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    expect((await verify(t, auditor)).ok).toBe(true);
  });
});

describe('a long export', () => {
  // The service the route streams, read chunk by chunk as a slow client would: a key revoked
  // mid-download stops the stream at the next chunk past the recheck interval (1 s).
  it('ends in an unauthenticated error once its key is revoked mid-export, and not before', async (test) => {
    const t = await start(test);
    const { core } = t.server;
    const [revoked, kept] = await Promise.all([
      t.userKey('audra@example.com', ['audit:read']),
      t.userKey('aud@example.com', ['audit:read']),
    ]);
    const events = Array.from({ length: 1_500 }, (_, i) => ({
      type: 'action.allowed' as const,
      actor: 'agent:long-bot',
      subject: `act_${i}`,
      data: { action: 'bench.read', padding: 'x'.repeat(200) },
    }));
    await core.database.db.transaction((tx) => appendAudit(tx, Date.now(), events));
    const open = async (token: string) => {
      const actor = await authenticate(core, token);
      if (!actor) throw new Error('the key should authenticate');
      const chunks = exportAudit({ ctx: { core, actor }, filter: {}, format: 'ndjson' });
      expect((await chunks.next()).done).toBe(false);
      return chunks;
    };
    const [cut, whole] = [await open(revoked), await open(kept)];
    await t.revokeKey(revoked);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(cut.next()).rejects.toMatchObject({ code: 'unauthenticated' });
    expect((await whole.next()).done).toBe(false);
    await whole.return(undefined);
  });

  it('streams every event once and in order across pages and buffered writes (NDJSON and JSON)', async (test) => {
    const t = await start(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    // 3,000 events of ~300 bytes: three pages of the query, many 64 KB writes.
    const { db } = t.server.core.database;
    for (let batch = 0; batch < 3; batch++) {
      const events = Array.from({ length: 1_000 }, (_, i) => ({
        type: 'action.allowed' as const,
        actor: 'agent:long-bot',
        subject: `act_${batch}_${i}`,
        data: { action: 'bench.read', padding: 'x'.repeat(200) },
      }));
      await db.transaction((tx) => appendAudit(tx, Date.now(), events));
    }
    const ndjson = await fetch(`${t.url}/v1/audit?format=ndjson`, {
      headers: { authorization: `Bearer ${auditor}` },
    }).then((r) => r.text());
    const lines = ndjson.trimEnd().split('\n');
    const seqs = lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs.length).toBeGreaterThan(3_000);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const json = await fetch(`${t.url}/v1/audit?format=json`, {
      headers: { authorization: `Bearer ${auditor}` },
    }).then((r) => r.json() as Promise<{ events: { seq: number }[] }>);
    // The checkpointer may have signed the head in between: the JSON export holds at least as many.
    const jsonSeqs = json.events.map((e) => e.seq);
    expect(jsonSeqs).toEqual(jsonSeqs.map((_, i) => i + 1));
    expect(jsonSeqs.length).toBeGreaterThanOrEqual(seqs.length);
  });
});
