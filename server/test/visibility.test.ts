import type { ActionList, ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { expectError, review, serverForTest, submit, type TestServer } from './harness';

const POLICY = `
version: 1
groups:
  sre: [bob@example.com]
  dba: [carol@example.com]
defaults: { timeout: 15m, grantTtl: 5m }
rules:
  - name: reads-are-free
    match: { action: "**.get*" }
    effect: allow
  - name: quick-deploys
    match: { action: deploy.quick }
    effect: review
    approvers: [sre]
    timeout: 1s
  - name: db-needs-dba
    match: { action: "db.**" }
    effect: review
    approvers: [dba]
default: { effect: review, approvers: [sre] }
`;

// The sweeper must not be what makes an overdue request read as expired.
const NO_SWEEPER = { COUNTERSIGN_SWEEP_INTERVAL_MS: '3600000' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(test: TestContext, policy = POLICY): Promise<TestServer> {
  return serverForTest(test, { policy, env: NO_SWEEPER });
}

const get = (t: TestServer, key: string, id: string) =>
  t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key });
const list = async (t: TestServer, key: string, query = ''): Promise<ActionList> => {
  const reply = await t.call<ActionList>('GET', `/v1/actions${query ? `?${query}` : ''}`, { key });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
};
const ids = (page: ActionList) => page.items.map((r) => r.id);

describe('who sees one request and the list', () => {
  it('shows a requester its own requests', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const req = await submit(t, agent, { action: 'deploy.run' });
    const one = await get(t, agent, req.id);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(req.id);
    expect(ids(await list(t, agent))).toEqual([req.id]);
  });

  it("shows an agent's owner (a user key) the agent's requests, and not other agents'", async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const stranger = await t.agentKey('other-bot', 'erin@example.com');
    const alice = await t.userKey('alice@example.com');
    const mine = await submit(t, agent, { action: 'deploy.run' });
    const theirs = await submit(t, stranger, { action: 'deploy.run' });
    expect((await get(t, alice, mine.id)).status).toBe(200);
    expectError(await get(t, alice, theirs.id), 404, 'not_found');
    expect(ids(await list(t, alice))).toEqual([mine.id]);
  });

  it('shows an eligible approver what it may review, and nothing of other groups', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const forSre = await submit(t, agent, { action: 'deploy.run' });
    const forDba = await submit(t, agent, { action: 'db.export' });
    expect((await get(t, bob, forSre.id)).status).toBe(200);
    expectError(await get(t, bob, forDba.id), 404, 'not_found');
    expect(ids(await list(t, bob))).toEqual([forSre.id]);
  });

  it('hides requests from a group member whose key cannot review', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const bobSubmits = await t.userKey('bob@example.com', ['actions:write']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    expectError(await get(t, bobSubmits, req.id), 404, 'not_found');
    expect(ids(await list(t, bobSubmits))).toEqual([]);
  });

  it('answers 404 to an unrelated key and leaves the request out of its list', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const otherAgent = await t.agentKey('other-bot', 'erin@example.com');
    const outsider = await t.userKey('mallory@example.com', ['reviews:write', 'actions:write']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    for (const key of [otherAgent, outsider]) {
      expectError(await get(t, key, req.id), 404, 'not_found');
      expect(ids(await list(t, key))).toEqual([]);
    }
  });

  it('shows an audit:read key every request', async (test) => {
    const t = await start(test);
    const a = await t.agentKey('deploy-bot', 'alice@example.com');
    const b = await t.agentKey('other-bot', 'erin@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const first = await submit(t, a, { action: 'deploy.run' });
    const second = await submit(t, b, { action: 'db.export' });
    const third = await submit(t, b, { action: 'inventory.getAll' });
    for (const req of [first, second, third]) expect((await get(t, auditor, req.id)).status).toBe(200);
    expect(ids(await list(t, auditor))).toEqual([third.id, second.id, first.id]);
  });
});

describe('status filter', () => {
  it('lists an overdue pending request as expired, and not as pending, with no sweeper run', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const quick = await submit(t, agent, { action: 'deploy.quick' });
    const slow = await submit(t, agent, { action: 'deploy.run' });
    const allowed = await submit(t, agent, { action: 'inventory.getAll' });
    expect(ids(await list(t, agent, 'status=pending'))).toEqual([slow.id, quick.id]);
    await sleep(1_100);
    const expired = await list(t, agent, 'status=expired');
    expect(ids(expired)).toEqual([quick.id]);
    expect(expired.items[0]?.status).toBe('expired');
    expect(ids(await list(t, agent, 'status=pending'))).toEqual([slow.id]);
    expect(ids(await list(t, agent, 'status=allowed'))).toEqual([allowed.id]);
    expect(ids(await list(t, agent, 'status=approved'))).toEqual([]);
    const unfiltered = await list(t, agent);
    expect(unfiltered.items.find((r) => r.id === quick.id)?.status).toBe('expired');
  });
});

describe('pagination', () => {
  it('pages newest first with limit and cursor, ending with nextCursor null', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) made.push((await submit(t, agent, { action: `deploy.step${i}` })).id);
    const newestFirst = [...made].reverse();

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await list(t, agent, query);
      pages.push(ids(page));
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);

    const exact = await list(t, agent, 'limit=5');
    expect(ids(exact)).toEqual(newestFirst);
    expect(exact.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not issue: 400 naming cursor', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const forged = Buffer.from('act_../../etc').toString('base64url');
    for (const cursor of ['garbage!', forged, 'x'.repeat(201)]) {
      const reply = await t.call('GET', `/v1/actions?cursor=${encodeURIComponent(cursor)}`, { key: agent });
      const error = expectError(reply, 400, 'invalid_request', cursor);
      expect(error.details?.map((d) => d.path)).toContain('cursor');
    }
  });
});

describe('the grant token', () => {
  it('is shown to the requester alone: not the owner, the approver or an auditor', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const alice = await t.userKey('alice@example.com', ['reviews:write', 'actions:write']);
    const bob = await t.userKey('bob@example.com', ['reviews:write', 'audit:read']);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    const approved = await review(t, bob, req.id, 'approve');
    expect(approved.body.status).toBe('approved');
    expect(approved.body.grant).toBeUndefined();

    expect((await get(t, agent, req.id)).body.grant?.token).toMatch(/^csg_/);
    expect((await list(t, agent)).items[0]?.grant?.token).toMatch(/^csg_/);
    for (const [who, key] of [
      ['owner', alice],
      ['approver', bob],
      ['auditor', auditor],
    ] as const) {
      const one = await get(t, key, req.id);
      expect(one.status, who).toBe(200);
      expect(one.body.status, who).toBe('approved');
      expect(one.body.grant, who).toBeUndefined();
      const page = await list(t, key);
      expect(page.items.find((r) => r.id === req.id)?.grant, who).toBeUndefined();
    }
  });

  it('disappears from the requester’s view once redeemed', async (test) => {
    const t = await start(test);
    const agent = await t.agentKey('reader-bot', 'alice@example.com');
    const req = await submit(t, agent, { action: 'inventory.getAll' });
    const token = req.grant?.token;
    expect(token).toBeDefined();
    const redeemed = await t.call('POST', '/v1/grants/redeem', {
      key: agent,
      body: { token, digest: req.digest },
    });
    expect(redeemed.status).toBe(200);
    const after = await get(t, agent, req.id);
    expect(after.body.status).toBe('allowed');
    expect(after.body.grant).toBeUndefined();
    expect((await list(t, agent)).items[0]?.grant).toBeUndefined();
  });

  it('disappears from the requester’s view once expired', async (test) => {
    const t = await start(test, POLICY.replace('grantTtl: 5m', 'grantTtl: 1s'));
    const agent = await t.agentKey('reader-bot', 'alice@example.com');
    const req = await submit(t, agent, { action: 'inventory.getAll' });
    expect(req.grant?.token).toBeDefined();
    expect(Date.parse(req.grant?.expiresAt ?? '') - Date.parse(req.createdAt)).toBe(1_000);
    await sleep(1_100);
    const after = await get(t, agent, req.id);
    expect(after.body.status).toBe('allowed');
    expect(after.body.grant).toBeUndefined();
  });
});
