import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { auditEvents, expectError, review, serverForTest, submit, type TestServer } from './harness';

const POLICY = `
version: 1
groups:
  sre: [bob@example.com]
defaults: { timeout: 15m, grantTtl: 5m }
rules:
  - name: reads-are-free
    match: { action: "**.get*" }
    effect: allow
  - name: no-drops
    match: { action: "db.drop*" }
    effect: deny
    reason: Never from automation.
default: { effect: review, approvers: [sre] }
`;

async function seed(test: TestContext) {
  const t = await serverForTest(test, { policy: POLICY });
  const [agent, bob, auditor] = await Promise.all([
    t.agentKey('deploy-bot', 'alice@example.com'),
    t.userKey('bob@example.com', ['reviews:write']),
    t.userKey('audra@example.com', ['audit:read']),
  ]);
  const req = await submit(t, agent, { action: 'deploy.run', environment: 'prod' });
  expect(req.status).toBe('pending');
  return { t, agent, bob, auditor, req };
}

const cancel = (t: TestServer, key: string, id: string) =>
  t.call<ActionRequest>('POST', `/v1/actions/${id}/cancel`, { key });
const read = async (t: TestServer, key: string, id: string) =>
  (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;

describe('cancelling a request', () => {
  it('lets the requester cancel a pending request: 200 cancelled, audited', async (test) => {
    const { t, agent, auditor, req } = await seed(test);
    const reply = await cancel(t, agent, req.id);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(req.id);
    expect(reply.body.status).toBe('cancelled');
    expect(reply.body.decidedAt).toBeDefined();
    expect((await read(t, agent, req.id)).status).toBe('cancelled');
    const events = await auditEvents(t, auditor, `type=action.cancelled&subject=${req.id}`);
    expect(events.map((e) => e.actor)).toEqual(['agent:deploy-bot']);
  });

  it('answers a second cancel with 409 not_pending', async (test) => {
    const { t, agent, auditor, req } = await seed(test);
    expect((await cancel(t, agent, req.id)).status).toBe(200);
    expectError(await cancel(t, agent, req.id), 409, 'not_pending');
    expect(await auditEvents(t, auditor, 'type=action.cancelled')).toHaveLength(1);
  });

  it('refuses an approver who can see the request with 403 forbidden, leaving it pending', async (test) => {
    const { t, agent, bob, req } = await seed(test);
    expect((await read(t, bob, req.id)).id).toBe(req.id);
    expectError(await cancel(t, bob, req.id), 403, 'forbidden');
    expect((await read(t, agent, req.id)).status).toBe('pending');
  });

  it('refuses an auditor with 403 forbidden and a stranger with 404 not_found', async (test) => {
    const { t, agent, auditor, req } = await seed(test);
    const stranger = await t.agentKey('other-bot', 'erin@example.com');
    expectError(await cancel(t, auditor, req.id), 403, 'forbidden');
    expectError(await cancel(t, stranger, req.id), 404, 'not_found');
    expect((await read(t, agent, req.id)).status).toBe('pending');
  });

  it("lets the agent's owner cancel it, audited as the owner", async (test) => {
    const { t, agent, auditor, req } = await seed(test);
    const alice = await t.userKey('alice@example.com', ['actions:write']);
    const reply = await cancel(t, alice, req.id);
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('cancelled');
    expect((await read(t, agent, req.id)).status).toBe('cancelled');
    const events = await auditEvents(t, auditor, `type=action.cancelled&subject=${req.id}`);
    expect(events.map((e) => e.actor)).toEqual(['user:alice@example.com']);
  });

  it('answers 409 not_pending for requests already decided: approved, denied, allowed, blocked', async (test) => {
    const { t, agent, bob, req } = await seed(test);
    expect((await review(t, bob, req.id, 'approve')).body.status).toBe('approved');
    const denied = await submit(t, agent, { action: 'deploy.rollback' });
    expect((await review(t, bob, denied.id, 'deny', 'no')).body.status).toBe('denied');
    const allowed = await submit(t, agent, { action: 'deploy.getStatus' });
    const blocked = await submit(t, agent, { action: 'db.dropTable' });
    expect([allowed.status, blocked.status]).toEqual(['allowed', 'blocked']);
    for (const id of [req.id, denied.id, allowed.id, blocked.id]) {
      expectError(await cancel(t, agent, id), 409, 'not_pending', id);
    }
    expect((await read(t, agent, req.id)).status).toBe('approved');
  });

  it('leaves nothing to review: a review after a cancel gets 409 not_pending and no grant is issued', async (test) => {
    const { t, agent, bob, auditor, req } = await seed(test);
    expect((await cancel(t, agent, req.id)).status).toBe(200);
    expectError(await review(t, bob, req.id, 'approve'), 409, 'not_pending');
    expect(await auditEvents(t, auditor, 'type=grant.issued,action.approved')).toEqual([]);
  });
});
