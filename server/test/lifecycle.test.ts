import type { ActionRequest } from '@countersign/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { review, startTestServer, submit, type TestServer } from './harness';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.stop();
});

describe('policy effects at submission', () => {
  it('allows a read at once and hands the requester a grant', async () => {
    const agent = await t.agentKey('reader', 'alice@example.com');
    const req = await submit(t, agent, { action: 'aws.s3.getObject', resource: 'bucket/key' });
    expect(req.status).toBe('allowed');
    expect(req.rule).toEqual({ name: 'reads-are-free', effect: 'allow' });
    expect(req.grant?.token).toMatch(/^csg_[A-Za-z0-9_-]{43}$/);
    expect(req.decidedAt).toBeDefined();
  });

  it('blocks a denied action with the rule and its reason, and issues no grant', async () => {
    const agent = await t.agentKey('dba', 'alice@example.com');
    const req = await submit(t, agent, { action: 'db.dropTable', environment: 'prod' });
    expect(req.status).toBe('blocked');
    expect(req.rule.name).toBe('no-prod-drops');
    expect(req.reason).toMatch(/never allowed/);
    expect(req.grant).toBeUndefined();
  });

  it('holds a review action as pending with its approvers, quorum and expiry', async () => {
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const req = await submit(t, agent, {
      action: 'db.export',
      resource: 'customers/eu',
      environment: 'prod',
    });
    expect(req.status).toBe('pending');
    expect(req.approvals).toEqual({ required: 2, received: 0 });
    expect(req.approvers).toEqual(['data-owners']);
    expect(req.channel).toBe('#data-approvals');
    expect(Date.parse(req.expiresAt ?? '') - Date.parse(req.createdAt)).toBe(15 * 60_000);
    expect(req.grant).toBeUndefined();
  });
});

describe('reviews', () => {
  it('needs two distinct eligible approvers for a quorum of two, then issues a grant to the requester', async () => {
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const carol = await t.userKey('carol@example.com');
    const dan = await t.userKey('dan@example.com');
    const req = await submit(t, agent, { action: 'db.export', resource: 'customers/eu' });

    const first = await review(t, carol, req.id, 'approve', 'looks right');
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('pending');
    expect(first.body.approvals.received).toBe(1);
    expect(first.body.grant).toBeUndefined();

    const again = await review(t, carol, req.id, 'approve');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'already_reviewed' } });

    const second = await review(t, dan, req.id, 'approve');
    expect(second.body.status).toBe('approved');
    expect(second.body.grant).toBeUndefined(); // the reviewer is not the requester

    const seen = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent });
    expect(seen.body.grant?.token).toBeDefined();
    expect(seen.body.reviews.map((r) => r.reviewer)).toEqual([
      'user:carol@example.com',
      'user:dan@example.com',
    ]);
  });

  it("refuses the agent's owner as self-approval even though she is in the approver group", async () => {
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const alice = await t.userKey('alice@example.com');
    const req = await submit(t, agent, { action: 'db.export', resource: 'customers/eu' });
    const reply = await review(t, alice, req.id, 'approve');
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ error: { code: 'self_approval' } });
  });

  it('refuses a person reviewing their own request', async () => {
    const bob = await t.userKey('bob@example.com', ['actions:write', 'reviews:write']);
    const req = await submit(t, bob, { action: 'terraform.apply', environment: 'prod' });
    const reply = await review(t, bob, req.id, 'approve');
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ error: { code: 'self_approval' } });
  });

  it('refuses someone outside the approver groups', async () => {
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com');
    const req = await submit(t, agent, { action: 'db.export', resource: 'customers/eu' });
    const reply = await review(t, bob, req.id, 'approve');
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ error: { code: 'not_an_approver' } });
  });

  it('lets the first deny decide, and requires a comment for it', async () => {
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const carol = await t.userKey('carol@example.com');
    const dan = await t.userKey('dan@example.com');
    const req = await submit(t, agent, { action: 'db.export', resource: 'customers/eu' });

    const bare = await review(t, carol, req.id, 'deny');
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ error: { code: 'invalid_request', details: [{ path: 'comment' }] } });

    const denied = await review(t, carol, req.id, 'deny', 'not this quarter');
    expect(denied.body.status).toBe('denied');
    expect(denied.body.reason).toBe('not this quarter');

    const late = await review(t, dan, req.id, 'approve');
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'not_pending' } });
  });
});

describe('waiting for a decision', () => {
  it('keeps a long-poll waiting through the first of two approvals and answers at the decision', async () => {
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const carol = await t.userKey('carol@example.com');
    const dan = await t.userKey('dan@example.com');
    const req = await submit(t, agent, { action: 'db.export', resource: 'customers/eu' });
    let answered = false;
    const waiting = t
      .call<ActionRequest>('GET', `/v1/actions/${req.id}?wait=20`, { key: agent })
      .then((r) => {
        answered = true;
        return r;
      });
    await review(t, carol, req.id, 'approve');
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    const started = performance.now();
    await review(t, dan, req.id, 'approve');
    const decided = await waiting;
    expect(decided.body.status).toBe('approved');
    expect(decided.body.grant?.token).toBeDefined();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
