import { type ActionRequest, actionDigest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import {
  auditEvents,
  expectError,
  type Reply,
  review,
  reviewPolicy,
  serverForTest,
  submit,
  type TestServer,
} from './harness';

type Redeemed = { ok: true; actionId: string; grantId: string };

const redeem = (t: TestServer, key: string, token: string | undefined, digest: string) =>
  t.call<Redeemed>('POST', '/v1/grants/redeem', { key, body: { token, digest } });

/** A server where `*.get*` is allowed at once (a grant straight away) and anything else needs bob. */
async function seed(test: TestContext, grantTtl = '5m') {
  const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com'], { grantTtl }) });
  const [agent, auditor] = await Promise.all([
    t.agentKey('reader-bot', 'alice@example.com'),
    t.userKey('audra@example.com', ['audit:read']),
  ]);
  const req = await submit(t, agent, { action: 'inventory.getAll', resource: 'warehouse/7' });
  expect(req.status).toBe('allowed');
  return { t, agent, auditor, req, token: req.grant?.token };
}

describe('redeeming a grant', () => {
  it('answers {ok, actionId, grantId} for the requester with the matching digest', async (test) => {
    const { t, agent, req, token } = await seed(test);
    const reply = await redeem(t, agent, token, req.digest);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ok: true, actionId: req.id, grantId: expect.stringMatching(/^grt_/) });
  });

  it('redeems a grant that an approval issued', async (test) => {
    const { t, agent } = await seed(test);
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const req = await submit(t, agent, { action: 'deploy.run', environment: 'prod' });
    expect((await review(t, bob, req.id, 'approve')).body.status).toBe('approved');
    const seen = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent });
    const reply = await redeem(t, agent, seen.body.grant?.token, req.digest);
    expect(reply.status).toBe(200);
    expect(reply.body.actionId).toBe(req.id);
  });

  it('refuses a second redemption with 409 grant_used', async (test) => {
    const { t, agent, req, token } = await seed(test);
    expect((await redeem(t, agent, token, req.digest)).status).toBe(200);
    expectError(await redeem(t, agent, token, req.digest), 409, 'grant_used');
  });

  it('refuses another action’s digest with 403 digest_mismatch, and still honours the right one after', async (test) => {
    const { t, agent, req, token } = await seed(test);
    const other = await submit(t, agent, { action: 'inventory.getAll', resource: 'warehouse/8' });
    expect(other.digest).not.toBe(req.digest);
    expectError(await redeem(t, agent, token, other.digest), 403, 'digest_mismatch');
    expectError(await redeem(t, agent, token, `sha256:${'0'.repeat(64)}`), 403, 'digest_mismatch');
    const reply = await redeem(t, agent, token, req.digest);
    expect(reply.status).toBe(200);
    expect(reply.body.actionId).toBe(req.id);
  });

  it('refuses a grant past its grantTtl with 410 grant_expired', async (test) => {
    const { t, agent, req, token } = await seed(test, '1s');
    expect(Date.parse(req.grant?.expiresAt ?? '') - Date.parse(req.createdAt)).toBe(1_000);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(req.createdAt) + 1_100 - Date.now())),
    );
    expectError(await redeem(t, agent, token, req.digest), 410, 'grant_expired');
  });

  it('refuses anyone but the requester with 403 forbidden, the owner included, and stays unspent', async (test) => {
    const { t, agent, req, token } = await seed(test);
    const otherAgent = await t.agentKey('other-bot', 'alice@example.com');
    const owner = await t.userKey('alice@example.com', ['actions:write', 'reviews:write']);
    expectError(await redeem(t, otherAgent, token, req.digest), 403, 'forbidden');
    expectError(await redeem(t, owner, token, req.digest), 403, 'forbidden');
    expect((await redeem(t, agent, token, req.digest)).status).toBe(200);
  });

  it('answers 404 not_found for a token no grant has', async (test) => {
    const { t, agent, req, token } = await seed(test);
    const forged = `csg_${'A'.repeat(43)}`;
    expect(forged).not.toBe(token);
    expectError(await redeem(t, agent, forged, req.digest), 404, 'not_found');
  });
});

describe('the redeem race', () => {
  it('lets exactly one of 20 concurrent redemptions through and audits one grant.redeemed', async (test) => {
    const { t, agent, auditor, req, token } = await seed(test);
    const replies: Reply[] = await Promise.all(
      Array.from({ length: 20 }, () => redeem(t, agent, token, req.digest)),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(19).fill(409)]);
    for (const reply of replies.filter((r) => r.status === 409)) expectError(reply, 409, 'grant_used');
    const redeemed = await auditEvents(t, auditor, 'type=grant.redeemed');
    expect(redeemed).toHaveLength(1);
    expect(redeemed[0]?.subject).toBe(req.id);
  });
});

describe('the digest a grant is bound to', () => {
  it.for([
    { action: 'inventory.getAll' },
    { action: 'inventory.getAll', resource: 'warehouse/7' },
    {
      action: 'inventory.getOne',
      resource: 'w/1',
      environment: 'prod',
      params: { b: [2, 1], a: { z: 1, y: 'é' } },
    },
  ])('equals actionDigest() of {action, resource, environment, params}: %j', async (fields, test) => {
    const { t, agent } = await seed(test);
    // Fields outside the four never change what the grant is bound to.
    const req = await submit(t, agent, {
      ...fields,
      justification: 'nightly report',
      source: 'sdk',
      context: { run: 42 },
    });
    const local = await actionDigest(fields);
    expect(local).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(req.digest).toBe(local);
    expect((await redeem(t, agent, req.grant?.token, local)).status).toBe(200);
  });
});

describe('the digest of what was actually sent', () => {
  it('binds the grant to params exactly as sent, even a "__proto__" key, or refuses them', async (test) => {
    const { t, agent } = await seed(test);
    const rawBody = '{"action":"inventory.getAll","params":{"__proto__":{"admin":true},"id":7}}';
    const reply = await t.call<ActionRequest>('POST', '/v1/actions', {
      key: agent,
      rawBody,
      headers: { 'content-type': 'application/json' },
    });
    if (reply.status === 400) {
      expectError(reply, 400, 'invalid_request');
      return;
    }
    expect(reply.status).toBe(201);
    // What the agent sent, parsed as any JSON reader does: "__proto__" is an ordinary own key.
    const sent = JSON.parse(rawBody) as { action: string; params: Record<string, unknown> };
    expect(reply.body.params).toEqual(sent.params);
    expect(reply.body.digest).toBe(await actionDigest(sent));
  });
});

describe('what the database keeps', () => {
  it('stores only hashes of grant tokens and API keys, never the secrets themselves', async (test) => {
    const { t, agent, token } = await seed(test);
    if (!token) throw new Error('no grant token');
    const keySecret = agent.split('_').slice(2).join('_');
    const tokenSecret = token.slice('csg_'.length);
    const db = t.rawDb();
    for (const table of ['actions', 'grants', 'api_keys', 'audit_events', 'agents']) {
      const { rows } = await db.execute(`SELECT * FROM ${table}`);
      const dump = JSON.stringify(rows);
      expect(dump.length, table).toBeGreaterThan(2);
      expect(dump.includes(tokenSecret), `${table} holds the grant token`).toBe(false);
      expect(dump.includes(keySecret), `${table} holds the API key secret`).toBe(false);
    }
  });
});

describe('a redeem whose answer was lost', () => {
  it('answers a retry with the same Idempotency-Key the same way, and refuses any other repeat', async (test) => {
    const { t, agent, auditor, req, token } = await seed(test);
    if (!token) throw new Error('no grant token');
    const digest = req.digest;
    const redeemWith = (key?: string) =>
      t.call<{ ok: boolean; grantId: string }>('POST', '/v1/grants/redeem', {
        key: agent,
        body: { token, digest },
        headers: key ? { 'idempotency-key': key } : {},
      });
    const first = await redeemWith('retry-me');
    expect(first.status).toBe(200);
    const retry = await redeemWith('retry-me');
    expect(retry.status).toBe(200);
    expect(retry.body.grantId).toBe(first.body.grantId);
    expect((await redeemWith('another-key')).status).toBe(409);
    expect((await redeemWith()).status).toBe(409);
    const events = await t.call<{ events: unknown[] }>('GET', '/v1/audit?type=grant.redeemed', {
      key: auditor,
    });
    expect(events.body.events).toHaveLength(1);
  });
});
