import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { recheckQuorum } from '../src/services/actions/recheck-quorum';
import {
  auditEvents,
  expectError,
  review,
  reviewPolicy,
  serverForTest,
  startTestServer,
  submit,
  type TestServer,
} from './harness';

const ALL = ['bob@example.com', 'carol@example.com', 'dan@example.com'];
const WITHOUT_BOB = ['carol@example.com', 'dan@example.com'];

/** A quorum-2 server whose approver group the test rewrites and reloads. */
async function seed(test: TestContext, approvers = ALL) {
  const t = await serverForTest(test, { policy: reviewPolicy(approvers, { minApprovals: 2 }) });
  const [agent, admin, auditor, bob, carol, dan] = await Promise.all([
    t.agentKey('deploy-bot', 'alice@example.com'),
    t.userKey('root@example.com', ['admin']),
    t.userKey('audra@example.com', ['audit:read']),
    ...ALL.map((email) => t.userKey(email, ['reviews:write'])),
  ]);
  const people = { bob: bob ?? '', carol: carol ?? '', dan: dan ?? '' };
  const setApprovers = async (emails: string[]) => {
    await t.writePolicy(reviewPolicy(emails, { minApprovals: 2 }));
    const reply = await t.call('POST', '/v1/admin/policy/reload', { key: admin });
    expect(reply.status).toBe(200);
  };
  return { t, agent, auditor, people, setApprovers };
}

const reread = async (t: TestServer, key: string, id: string) =>
  (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;

describe('an approval whose reviewer a reload removed from the approver groups', () => {
  it('stops counting at the reload, is shown as discounted and audited, and quorum needs two current approvers', async (test) => {
    const { t, agent, auditor, people, setApprovers } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run', environment: 'prod' });
    expect((await review(t, people.bob, req.id, 'approve')).body.approvals.received).toBe(1);

    await setApprovers(WITHOUT_BOB);
    const after = await reread(t, agent, req.id);
    expect(after.status).toBe('pending');
    expect(after.approvals).toEqual({ required: 2, received: 0 });
    expect(after.reviews).toEqual([
      expect.objectContaining({
        reviewer: 'user:bob@example.com',
        decision: 'approve',
        discounted: { at: expect.any(String), reason: expect.stringMatching(/approver groups/) },
      }),
    ]);
    const discounted = await auditEvents(t, auditor, 'type=review.discounted');
    expect(discounted).toHaveLength(1);
    expect(discounted[0]).toMatchObject({ subject: req.id, actor: 'user:root@example.com' });
    expect(discounted[0]?.data).toMatchObject({
      reviewer: 'user:bob@example.com',
      approvals: { required: 2, received: 0 },
    });

    // Bob's old approval plus Carol's would have made two: now it takes Dan as well.
    const carol = await review(t, people.carol, req.id, 'approve');
    expect(carol.body).toMatchObject({ status: 'pending', approvals: { received: 1 } });
    expectError(await review(t, people.bob, req.id, 'approve'), 403, 'not_an_approver');
    const dan = await review(t, people.dan, req.id, 'approve');
    expect(dan.body).toMatchObject({ status: 'approved', approvals: { required: 2, received: 2 } });
    const approved = await auditEvents(t, auditor, 'type=action.approved');
    expect(approved.map((e) => e.data.approvals)).toEqual([2]);
  });

  it('is re-checked when the next review arrives, even without a reload (a Slack group shrinking)', async (test) => {
    const t = await serverForTest(test, {
      policy: reviewPolicy(['slack:@oncall'], { minApprovals: 2 }),
    });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const [bob, carol, dan] = await Promise.all(ALL.map((email) => t.userKey(email, ['reviews:write'])));
    const { directory } = t.server.core;
    directory.set('@oncall', ALL);
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect((await review(t, bob ?? '', req.id, 'approve')).status).toBe(200);

    directory.set('@oncall', WITHOUT_BOB); // the bot's next resolution of the user group
    const carolReview = await review(t, carol ?? '', req.id, 'approve');
    expect(carolReview.body).toMatchObject({ status: 'pending', approvals: { received: 1 } });
    expect(
      carolReview.body.reviews.find((r) => r.reviewer === 'user:bob@example.com')?.discounted,
    ).toBeDefined();
    const discounted = await auditEvents(t, auditor, 'type=review.discounted');
    expect(discounted.map((e) => e.data.reviewer)).toEqual(['user:bob@example.com']);
    const danReview = await review(t, dan ?? '', req.id, 'approve');
    expect(danReview.body.status).toBe('approved');
  });

  it('leaves a request that already reached quorum decided, its grant still good', async (test) => {
    const { t, agent, auditor, people, setApprovers } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    await review(t, people.bob, req.id, 'approve');
    expect((await review(t, people.carol, req.id, 'approve')).body.status).toBe('approved');

    await setApprovers(['dan@example.com', 'erin@example.com']);
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({ status: 'approved', approvals: { required: 2, received: 2 } });
    expect(after.reviews.every((r) => r.discounted === undefined)).toBe(true);
    expect(await auditEvents(t, auditor, 'type=review.discounted')).toEqual([]);
    const redeemed = await t.call('POST', '/v1/grants/redeem', {
      key: agent,
      body: { token: after.grant?.token, digest: req.digest },
    });
    expect(redeemed.status).toBe(200);
  });

  it('lets a person put back in the groups approve afresh; the old approval stays discounted', async (test) => {
    const { t, agent, people, setApprovers } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    await review(t, people.bob, req.id, 'approve');
    await setApprovers(WITHOUT_BOB);
    await setApprovers(ALL);
    expect((await reread(t, agent, req.id)).approvals.received).toBe(0);

    const again = await review(t, people.bob, req.id, 'approve');
    expect(again.status).toBe(200);
    expect(again.body.approvals.received).toBe(1);
    expect(again.body.reviews.map((r) => [r.reviewer, r.discounted === undefined])).toEqual([
      ['user:bob@example.com', false],
      ['user:bob@example.com', true],
    ]);
    expectError(await review(t, people.bob, req.id, 'approve'), 409, 'already_reviewed');
    expect((await review(t, people.carol, req.id, 'approve')).body.status).toBe('approved');
  });

  it('can be re-checked for one person (as the identity provider will), leaving the others for later', async (test) => {
    const t = await serverForTest(test, {
      policy: reviewPolicy(['slack:@oncall'], { minApprovals: 3 }),
    });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const [bob, carol] = await Promise.all(ALL.map((email) => t.userKey(email, ['reviews:write'])));
    const { core } = t.server;
    core.directory.set('@oncall', ALL);
    const req = await submit(t, agent, { action: 'deploy.run' });
    await review(t, bob ?? '', req.id, 'approve');
    expect((await review(t, carol ?? '', req.id, 'approve')).body.approvals.received).toBe(2);
    core.directory.set('@oncall', ['dan@example.com']);

    const system = { kind: 'system', id: 'system:cli' } as const;
    const one = await recheckQuorum({ ctx: { core, actor: system }, person: 'bob@example.com' });
    expect(one.discounted).toEqual([{ actionId: req.id, reviewer: 'user:bob@example.com' }]);
    const seen = await reread(t, agent, req.id);
    expect(seen.approvals.received).toBe(1);
    expect(seen.reviews.map((r) => [r.reviewer, r.discounted !== undefined])).toEqual([
      ['user:bob@example.com', true],
      ['user:carol@example.com', false],
    ]);
    const all = await recheckQuorum({ ctx: { core, actor: system } });
    expect(all.discounted).toEqual([{ actionId: req.id, reviewer: 'user:carol@example.com' }]);
    expect((await reread(t, agent, req.id)).approvals.received).toBe(0);
  });

  it('leaves approvals from a Slack user group alone until the bot has resolved the group after a restart', async (test) => {
    const policy = reviewPolicy(['slack:@oncall'], { minApprovals: 2 });
    const first = await startTestServer({ policy });
    const agent = await first.agentKey('deploy-bot', 'alice@example.com');
    const bob = await first.userKey('bob@example.com', ['reviews:write']);
    const admin = await first.userKey('root@example.com', ['admin']);
    const auditor = await first.userKey('audra@example.com', ['audit:read']);
    first.server.core.directory.set('@oncall', ALL);
    const req = await submit(first, agent, { action: 'deploy.run' });
    expect((await review(first, bob, req.id, 'approve')).body.approvals.received).toBe(1);
    await first.stop({ keepDir: true });

    // A new process: the directory is empty until the Slack bot resolves @oncall again.
    const t = await serverForTest(test, { policy, dir: first.dir });
    expect((await t.call('POST', '/v1/admin/policy/reload', { key: admin })).status).toBe(200);
    expect((await reread(t, agent, req.id)).approvals.received).toBe(1);
    expect(await auditEvents(t, auditor, 'type=review.discounted')).toHaveLength(0);

    // Once resolved without bob, his approval stops counting at the next re-check.
    t.server.core.directory.set('@oncall', WITHOUT_BOB);
    expect((await t.call('POST', '/v1/admin/policy/reload', { key: admin })).status).toBe(200);
    expect((await reread(t, agent, req.id)).approvals.received).toBe(0);
  });
});
