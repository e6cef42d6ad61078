import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import {
  auditEvents,
  expectError,
  review,
  reviewPolicy,
  serverForTest,
  submit,
  type TestServer,
} from './harness';

const POLICY = reviewPolicy(['bob@example.com'], { timeout: '1s' });
const SWEEPER_OFF = { COUNTERSIGN_SWEEP_INTERVAL_MS: '3600000' };
const SWEEPER_FAST = { COUNTERSIGN_SWEEP_INTERVAL_MS: '100' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Seeded = { t: TestServer; agent: string; bob: string; auditor: string; req: ActionRequest };

async function seed(test: TestContext, env: Record<string, string>): Promise<Seeded> {
  const t = await serverForTest(test, { policy: POLICY, env });
  const [agent, bob, auditor] = await Promise.all([
    t.agentKey('deploy-bot', 'alice@example.com'),
    t.userKey('bob@example.com', ['reviews:write']),
    t.userKey('audra@example.com', ['audit:read']),
  ]);
  const req = await submit(t, agent, { action: 'deploy.run', environment: 'prod' });
  expect(req.status).toBe('pending');
  expect(Date.parse(req.expiresAt ?? '') - Date.parse(req.createdAt)).toBe(1_000);
  return { t, agent, bob, auditor, req };
}

/** The status the database holds, read beside the server: what a sweeper would have changed. */
async function storedStatus(t: TestServer, id: string): Promise<unknown> {
  const result = await t.rawDb().execute({ sql: 'SELECT status FROM actions WHERE id = ?', args: [id] });
  return result.rows[0]?.status;
}

/** Waits until the request is past its 1s timeout (measured from its own createdAt). */
const untilOverdue = (req: ActionRequest) =>
  sleep(Math.max(0, Date.parse(req.createdAt) + 1_100 - Date.now()));

/** Gives the 100 ms sweeper a few more passes to mark the row, then insists it did. */
async function untilSwept(t: TestServer, id: string): Promise<void> {
  for (let i = 0; i < 8 && (await storedStatus(t, id)) !== 'expired'; i += 1) await sleep(50);
  expect(await storedStatus(t, id)).toBe('expired');
}

describe('a pending request past its timeout, before any sweeper has run', () => {
  it('reads as expired to the requester, the approver and in lists, decided at its deadline', async (test) => {
    const { t, agent, bob, req } = await seed(test, SWEEPER_OFF);
    await untilOverdue(req);
    expect(await storedStatus(t, req.id)).toBe('pending');
    for (const key of [agent, bob]) {
      const one = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key });
      expect(one.body.status).toBe('expired');
      expect(one.body.decidedAt).toBe(req.expiresAt);
    }
    const page = await t.call<{ items: ActionRequest[] }>('GET', '/v1/actions', { key: agent });
    expect(page.body.items.map((r) => r.status)).toEqual(['expired']);
  });

  it('refuses a review with 410 expired, audits the refusal, and stays expired', async (test) => {
    const { t, bob, auditor, req } = await seed(test, SWEEPER_OFF);
    await untilOverdue(req);
    expectError(await review(t, bob, req.id, 'approve'), 410, 'expired');
    const refused = await auditEvents(t, auditor, `type=review.refused&subject=${req.id}`);
    expect(refused.map((e) => [e.actor, e.data.code])).toEqual([['user:bob@example.com', 'expired']]);
    const after = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: bob });
    expect(after.body.status).toBe('expired');
    expect(after.body.approvals.received).toBe(0);
    expect(after.body.reviews).toEqual([]);
  });

  it('refuses a cancel with 409 not_pending (the contract), a question and an answer with 410 expired', async (test) => {
    const { t, agent, bob, req } = await seed(test, SWEEPER_OFF);
    await untilOverdue(req);
    expectError(await t.call('POST', `/v1/actions/${req.id}/cancel`, { key: agent }), 409, 'not_pending');
    const ask = { key: bob, body: { decision: 'ask', comment: 'which tables?' } };
    expectError(await t.call('POST', `/v1/actions/${req.id}/reviews`, ask), 410, 'expired');
    const answer = { key: agent, body: { comment: 'all of them' } };
    expectError(await t.call('POST', `/v1/actions/${req.id}/comments`, answer), 410, 'expired');
    const after = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent });
    expect(after.body.status).toBe('expired');
  });

  it('refuses a break-glass and an amending approval with 410 expired too', async (test) => {
    const policy = [
      'version: 1',
      'groups:',
      '  reviewers: [bob@example.com]',
      'defaults: { timeout: 1s, grantTtl: 5m }',
      'rules:',
      '  - name: prod-fix',
      '    match: { action: "**" }',
      '    effect: review',
      '    approvers: [reviewers]',
      '    breakGlass: { notify: ["#security"], reviewWithin: 24h }',
      '',
    ].join('\n');
    const t = await serverForTest(test, { policy, env: SWEEPER_OFF });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const req = await submit(t, agent, { action: 'deploy.run', params: { replicas: 3 } });
    await untilOverdue(req);
    const reason = { reason: 'Payments are down and no approver answers the page at 03:00.' };
    const broken = await t.call('POST', `/v1/actions/${req.id}/break-glass`, { key: agent, body: reason });
    expectError(broken, 410, 'expired');
    const amend = { decision: 'approve', amend: { params: { replicas: 1 } } };
    const amended = await t.call('POST', `/v1/actions/${req.id}/reviews`, { key: bob, body: amend });
    expectError(amended, 410, 'expired');
  });

  it('issues no grant to an approval that comes too late', async (test) => {
    const { t, agent, bob, auditor, req } = await seed(test, SWEEPER_OFF);
    await untilOverdue(req);
    await review(t, bob, req.id, 'approve');
    expect(
      (await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent })).body.grant,
    ).toBeUndefined();
    expect(await auditEvents(t, auditor, 'type=grant.issued,action.approved')).toEqual([]);
  });
});

describe('the sweeper', () => {
  it('marks an overdue request expired and audits action.expired by system:sweeper', async (test) => {
    const { t, auditor, req } = await seed(test, SWEEPER_FAST);
    await untilOverdue(req);
    await untilSwept(t, req.id);
    const expired = await auditEvents(t, auditor, `type=action.expired&subject=${req.id}`);
    expect(expired.map((e) => e.actor)).toEqual(['system:sweeper']);
    expect(expired[0]?.data.action).toBe('deploy.run');
  });

  it('refuses a review with 410 expired after it has run, as before it', async (test) => {
    const { t, bob, req } = await seed(test, SWEEPER_FAST);
    await untilOverdue(req);
    await untilSwept(t, req.id);
    // "expired, whether or not a sweeper has run yet": the answer must not depend on the sweeper.
    expectError(await review(t, bob, req.id, 'approve'), 410, 'expired');
  });

  it('refuses a cancel with 409 not_pending after it has run, as before it', async (test) => {
    const { t, agent, req } = await seed(test, SWEEPER_FAST);
    await untilOverdue(req);
    await untilSwept(t, req.id);
    expectError(await t.call('POST', `/v1/actions/${req.id}/cancel`, { key: agent }), 409, 'not_pending');
  });
});

describe('long-polling with ?wait=', () => {
  it('answers at the request’s expiry, as expired, rather than at the end of the wait', async (test) => {
    const { t, agent, req } = await seed(test, SWEEPER_OFF);
    const started = Date.now();
    const reply = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}?wait=30`, { key: agent });
    expect(reply.body.status).toBe('expired');
    // Well short of the 30 s asked for: it was the expiry that ended the wait.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers as soon as a review decides the request', async (test) => {
    const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    const started = Date.now();
    const waiting = t.call<ActionRequest>('GET', `/v1/actions/${req.id}?wait=30`, { key: agent });
    await sleep(100);
    expect((await review(t, bob, req.id, 'approve')).status).toBe(200);
    const reply = await waiting;
    expect(reply.body.status).toBe('approved');
    expect(reply.body.grant?.token).toMatch(/^csg_/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers pending when the wait runs out first', async (test) => {
    const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const req = await submit(t, agent, { action: 'deploy.run' });
    const started = Date.now();
    const reply = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}?wait=1`, { key: agent });
    expect(reply.body.status).toBe('pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});
