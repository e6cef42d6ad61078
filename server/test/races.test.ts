import type { ActionRequest, AuditEvent } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { auditEvents, expectError, type Reply, review, reviewPolicy, serverForTest, submit } from './harness';

const APPROVERS = Array.from({ length: 20 }, (_, i) => `approver${i}@example.com`);

async function seed(test: TestContext, minApprovals: number) {
  const t = await serverForTest(test, { policy: reviewPolicy(APPROVERS, { minApprovals }) });
  const [agent, auditor, ...approvers] = await Promise.all([
    t.agentKey('deploy-bot', 'owner@example.com'),
    t.userKey('audra@example.com', ['audit:read']),
    ...APPROVERS.map((email) => t.userKey(email, ['reviews:write'])),
  ]);
  const req = await submit(t, agent, { action: 'deploy.run', environment: 'prod' });
  expect(req.approvals).toEqual({ required: minApprovals, received: 0 });
  const events = async (type: string): Promise<AuditEvent[]> =>
    auditEvents(t, auditor, `type=${type}&subject=${req.id}`);
  const read = async () => (await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent })).body;
  return { t, agent, approvers, req, events, read };
}

const byStatus = (replies: Reply<ActionRequest>[], status: number) =>
  replies.filter((r) => r.status === status);

describe('the approval race', () => {
  it('lets exactly one of 20 concurrent eligible approvers decide a one-approval request', async (test) => {
    const { t, approvers, req, events, read } = await seed(test, 1);
    const replies = await Promise.all(approvers.map((key) => review(t, key, req.id, 'approve')));

    const winners = byStatus(replies, 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.body.status).toBe('approved');
    const losers = replies.filter((r) => r.status !== 200);
    expect(losers).toHaveLength(19);
    for (const reply of losers) expectError(reply, 409, 'not_pending');

    expect(await events('action.approved')).toHaveLength(1);
    expect(await events('grant.issued')).toHaveLength(1);
    expect(await events('review.recorded')).toHaveLength(1);
    const final = await read();
    expect(final.status).toBe('approved');
    expect(final.approvals.received).toBe(1);
    expect(final.reviews).toHaveLength(1);
    expect(final.reviews[0]?.reviewer).toBe(winners[0]?.body.reviews[0]?.reviewer);
  });

  it('counts exactly two of 20 concurrent approvers on a two-approval request', async (test) => {
    const { t, approvers, req, events, read } = await seed(test, 2);
    const replies = await Promise.all(approvers.map((key) => review(t, key, req.id, 'approve')));
    const accepted = byStatus(replies, 200);
    expect(accepted.map((r) => r.body.status).sort()).toEqual(['approved', 'pending']);
    for (const reply of replies.filter((r) => r.status !== 200)) expectError(reply, 409, 'not_pending');
    expect(await events('action.approved')).toHaveLength(1);
    expect(await events('grant.issued')).toHaveLength(1);
    const final = await read();
    expect(final.approvals.received).toBe(2);
    expect(new Set(final.reviews.map((r) => r.reviewer)).size).toBe(2);
  });

  it('lets exactly one decision land when approvals and denials race', async (test) => {
    const { t, approvers, req, events, read } = await seed(test, 1);
    const replies = await Promise.all(
      approvers.map((key, i) =>
        i % 2 === 0 ? review(t, key, req.id, 'approve') : review(t, key, req.id, 'deny', 'not now'),
      ),
    );
    expect(byStatus(replies, 200)).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 200)) expectError(reply, 409, 'not_pending');
    const decisions = [...(await events('action.approved')), ...(await events('action.denied'))];
    expect(decisions).toHaveLength(1);
    const final = await read();
    expect(['approved', 'denied']).toContain(final.status);
    expect(final.reviews).toHaveLength(1);
    expect(await events('grant.issued')).toHaveLength(final.status === 'approved' ? 1 : 0);
  });
});

describe('the double click', () => {
  it('counts a person once even across two of their keys', async (test) => {
    const { t, approvers, req, events, read } = await seed(test, 2);
    const [first] = approvers;
    if (!first) throw new Error('no approver seeded');
    const second = await t.userKey(APPROVERS[0] ?? '', ['reviews:write']);
    const replies = await Promise.all([
      review(t, first, req.id, 'approve'),
      review(t, second, req.id, 'approve'),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = replies.find((r) => r.status === 409);
    if (loser) expectError(loser, 409, 'already_reviewed');
    expect(await events('review.recorded')).toHaveLength(1);
    expect((await read()).approvals.received).toBe(1);
  });

  it('records one review of 10 concurrent clicks by one person; the rest get 409 already_reviewed', async (test) => {
    const { t, approvers, req, events, read } = await seed(test, 2);
    const [carol] = approvers;
    if (!carol) throw new Error('no approver seeded');
    const replies = await Promise.all(Array.from({ length: 10 }, () => review(t, carol, req.id, 'approve')));
    const accepted = byStatus(replies, 200);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.body.status).toBe('pending');
    expect(accepted[0]?.body.approvals.received).toBe(1);
    const rest = replies.filter((r) => r.status !== 200);
    expect(rest).toHaveLength(9);
    for (const reply of rest) expectError(reply, 409, 'already_reviewed');

    expect(await events('review.recorded')).toHaveLength(1);
    expect(await events('action.approved')).toHaveLength(0);
    const final = await read();
    expect(final.status).toBe('pending');
    expect(final.approvals.received).toBe(1);
    expect(final.reviews).toHaveLength(1);
  });
});
