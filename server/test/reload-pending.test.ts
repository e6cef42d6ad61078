import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import {
  auditEvents,
  expectError,
  review,
  serverForTest,
  startTestServer,
  submit,
  type TestServer,
} from './harness';

// A reload holds requests already pending to the policy it puts in force (docs/policy.md, "A reload
// and the requests pending"). Each rule below is edited by one test and reloaded.
const RULES = {
  paybig: `  - name: paybig
    match: { action: pay.send }
    when: params.amount > 500
    effect: review
    approvers: [ops]
`,
  exports: `  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [data]
`,
  deploy: `  - name: deploy
    match: { action: deploy.run }
    effect: review
    approvers: [ops]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
`,
};

function policy(rules: string[]): string {
  return `version: 1
groups:
  ops: [bob@example.com, erin@example.com]
  data: [dan@example.com, carol@example.com]
defaults: { timeout: 15m, grantTtl: 5m }
rules:
${rules.join('')}default: { effect: deny, reason: not covered }
`;
}
const BEFORE = policy([RULES.paybig, RULES.exports, RULES.deploy]);

async function seed(test: TestContext, text = BEFORE) {
  const t = await serverForTest(test, { policy: text });
  const [agent, admin, auditor, bob, erin, dan, carol] = await Promise.all([
    t.agentKey('pay-bot', 'alice@example.com'),
    t.userKey('root@example.com', ['admin']),
    t.userKey('audra@example.com', ['audit:read']),
    ...['bob', 'erin', 'dan', 'carol'].map((name) => t.userKey(`${name}@example.com`, ['reviews:write'])),
  ]);
  const people = { bob: bob ?? '', erin: erin ?? '', dan: dan ?? '', carol: carol ?? '' };
  const reload = async (next: string) => {
    await t.writePolicy(next);
    const reply = await t.call<{ version: string }>('POST', '/v1/admin/policy/reload', { key: admin });
    expect(reply.status).toBe(200);
    return reply.body.version;
  };
  return { t, agent, auditor, people, reload };
}

const reread = async (t: TestServer, key: string, id: string) =>
  (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;

const NO_PAY = `  - name: no-pay
    match: { action: pay.send }
    effect: deny
    reason: Payments are frozen.
`;

describe('a request pending when a reload denies its action', () => {
  it('is blocked with the new rule and reason, and an approval after it is refused with no grant', async (test) => {
    const { t, agent, auditor, people, reload } = await seed(test);
    const req = await submit(t, agent, { action: 'pay.send', params: { amount: 777 } });
    expect(req).toMatchObject({ status: 'pending', rule: { name: 'paybig' } });

    const version = await reload(policy([NO_PAY, RULES.paybig, RULES.exports, RULES.deploy]));
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({
      status: 'blocked',
      rule: { name: 'no-pay', effect: 'deny' },
      policyVersion: version,
      reason: `Payments are frozen. (denied by policy ${version} after a reload)`,
    });
    expect(after.decidedAt).toBeDefined();
    expect(after.grant).toBeUndefined();

    expectError(await review(t, people.bob, req.id, 'approve'), 409, 'not_pending');
    const still = await reread(t, agent, req.id);
    expect(still.status).toBe('blocked');
    expect(still.grant).toBeUndefined();
    expect(await auditEvents(t, auditor, 'type=grant.issued')).toEqual([]);

    const blocked = await auditEvents(t, auditor, 'type=action.blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({
      subject: req.id,
      actor: 'user:root@example.com',
      data: { rule: 'no-pay', reload: { to: version } },
    });
    const rebound = await auditEvents(t, auditor, 'type=action.rebound');
    expect(rebound[0]?.data).toMatchObject({
      status: 'blocked',
      before: { rule: 'paybig', effect: 'review', approvers: ['ops'] },
      after: { rule: 'no-pay', effect: 'deny' },
    });
  });

  it('answers a long-poll waiting on it, as blocked', async (test) => {
    const { t, agent, reload } = await seed(test);
    const req = await submit(t, agent, { action: 'pay.send', params: { amount: 777 } });
    const started = Date.now();
    const waiting = t.call<ActionRequest>('GET', `/v1/actions/${req.id}?wait=30`, { key: agent });
    await sleep(100);
    await reload(policy([NO_PAY, RULES.paybig]));
    const reply = await waiting;
    expect(reply.body).toMatchObject({ status: 'blocked', rule: { name: 'no-pay' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('is blocked too when the server restarts on the changed file', async (test) => {
    const first = await startTestServer({ policy: BEFORE });
    const agent = await first.agentKey('pay-bot', 'alice@example.com');
    const req = await submit(first, agent, { action: 'pay.send', params: { amount: 777 } });
    await first.stop({ keepDir: true });
    // The test server writes the file it is given before it starts: the file changed while it was down.
    const second = await startTestServer({ dir: first.dir, policy: policy([NO_PAY, RULES.paybig]) });
    test.onTestFinished(() => second.stop());
    expect(await reread(second, agent, req.id)).toMatchObject({
      status: 'blocked',
      rule: { name: 'no-pay' },
    });
  });
});

describe('a submission decided on the old policy while a reload waits to write', () => {
  it('is held to the new policy too: blocked, and an approval is refused', async (test) => {
    const { t, agent, people } = await seed(test);
    const admin = await t.userKey('root@example.com', ['admin']);
    // Hold the write queue, so the reload's transaction waits behind this one and the submission,
    // decided meanwhile on the policy still in force, queues its insert behind the reload's.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = t.server.core.writes.run(() => held);
    await t.writePolicy(policy([NO_PAY, RULES.paybig]));
    const reloading = t.call('POST', '/v1/admin/policy/reload', { key: admin });
    await sleep(300);
    const submitting = submit(t, agent, { action: 'pay.send', params: { amount: 777 } });
    await sleep(300);
    release();
    await holding;
    expect((await reloading).status).toBe(200);
    const req = await submitting;
    // Its own answer may still say pending (it was decided before the reload): reading it again may not.
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({ status: 'blocked', rule: { name: 'no-pay' } });
    expectError(await review(t, people.bob, req.id, 'approve'), 409, 'not_pending');
  });
});

describe('a request pending when a reload moves its rule to other approvers', () => {
  it('is re-bound to the new groups: its old approvers may not approve, and their approvals stop counting', async (test) => {
    const { t, agent, auditor, people, reload } = await seed(test);
    const exportsTo = (groups: string, min: number) =>
      RULES.exports.replace('approvers: [data]', `approvers: [${groups}]\n    minApprovals: ${min}`);
    await reload(policy([RULES.paybig, exportsTo('data', 2), RULES.deploy]));
    const req = await submit(t, agent, { action: 'db.export', resource: 'customers/eu' });
    expect(req).toMatchObject({ approvers: ['data'], approvals: { required: 2, received: 0 } });
    expect((await review(t, people.carol, req.id, 'approve')).body.approvals.received).toBe(1);

    await reload(policy([RULES.paybig, exportsTo('ops', 2), RULES.deploy]));
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({
      status: 'pending',
      approvers: ['ops'],
      approvals: { required: 2, received: 0 },
    });
    expect(after.reviews[0]?.discounted).toBeDefined();

    // Dan is still in `data`, which the policy still has: it is no longer this request's group.
    expectError(await review(t, people.dan, req.id, 'approve'), 403, 'not_an_approver');
    expect((await review(t, people.bob, req.id, 'approve')).body.status).toBe('pending');
    const done = await review(t, people.erin, req.id, 'approve');
    expect(done.body).toMatchObject({ status: 'approved', approvals: { required: 2, received: 2 } });

    const rebound = await auditEvents(t, auditor, 'type=action.rebound');
    expect(rebound).toHaveLength(1);
    expect(rebound[0]?.data).toMatchObject({
      status: 'pending',
      before: { rule: 'exports', approvers: ['data'], minApprovals: 2 },
      after: { rule: 'exports', approvers: ['ops'], minApprovals: 2 },
    });
  });

  it('needs the new, larger quorum', async (test) => {
    const { t, agent, people, reload } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect(req.approvals.required).toBe(1);
    await reload(
      policy([
        RULES.paybig,
        RULES.exports,
        RULES.deploy.replace('approvers: [ops]', 'approvers: [ops]\n    minApprovals: 2'),
      ]),
    );
    const first = await review(t, people.bob, req.id, 'approve');
    expect(first.body).toMatchObject({ status: 'pending', approvals: { required: 2, received: 1 } });
    expect((await review(t, people.erin, req.id, 'approve')).body.status).toBe('approved');
  });

  it('is not approved by the reload when a smaller quorum is already met: the next review decides', async (test) => {
    const { t, agent, people, reload } = await seed(test);
    const two = RULES.deploy.replace('approvers: [ops]', 'approvers: [ops]\n    minApprovals: 2');
    await reload(policy([RULES.paybig, RULES.exports, two]));
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect((await review(t, people.bob, req.id, 'approve')).body.approvals).toEqual({
      required: 2,
      received: 1,
    });

    await reload(policy([RULES.paybig, RULES.exports, RULES.deploy]));
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({ status: 'pending', approvals: { required: 1, received: 1 } });
    expect(after.grant).toBeUndefined();
    expect((await review(t, people.erin, req.id, 'approve')).body.status).toBe('approved');
  });
});

describe('a request pending when a reload raises its rule to risk: critical', () => {
  it('shows the risk and needs the step-up: an approval without one is refused and not counted', async (test) => {
    const { t, agent, people, reload } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect(req.stepUp).toBeUndefined();
    await reload(
      policy([
        RULES.paybig,
        RULES.exports,
        RULES.deploy.replace('effect: review', 'effect: review\n    risk: critical'),
      ]),
    );
    expect(await reread(t, agent, req.id)).toMatchObject({
      risk: 'critical',
      stepUp: 'mfa',
      status: 'pending',
    });
    expectError(await review(t, people.bob, req.id, 'approve'), 403, 'step_up_required');
    expect(await reread(t, agent, req.id)).toMatchObject({ status: 'pending', approvals: { received: 0 } });
  });
});

describe('a request pending when a reload raises its rule to a step-up, with an approval already in', () => {
  it('the approval made without a step-up stops counting (review.discounted): no one counts on the old terms', async (test) => {
    const { t, agent, auditor, people, reload } = await seed(test);
    const twoOps = RULES.deploy.replace('approvers: [ops]', 'approvers: [ops]\n    minApprovals: 2');
    await reload(policy([RULES.paybig, RULES.exports, twoOps]));
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect((await review(t, people.bob, req.id, 'approve')).body).toMatchObject({
      status: 'pending',
      approvals: { received: 1 },
    });
    await reload(
      policy([
        RULES.paybig,
        RULES.exports,
        twoOps.replace('effect: review', 'effect: review\n    risk: critical'),
      ]),
    );
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({
      stepUp: 'mfa',
      status: 'pending',
      approvals: { required: 2, received: 0 },
    });
    const discounted = (await auditEvents(t, auditor)).filter(
      (e) => e.type === 'review.discounted' && e.subject === req.id,
    );
    expect(discounted.map((e) => e.data.reviewer)).toEqual(['user:bob@example.com']);
  });
});

describe('a request pending when a reload takes break-glass off its rule', () => {
  it('can no longer be approved by its own side', async (test) => {
    const { t, agent, auditor, reload } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect(req.breakGlass).toBeDefined();

    await reload(
      policy([
        RULES.paybig,
        RULES.exports,
        RULES.deploy.replace('    breakGlass: { notify: ["#security"], reviewWithin: 24h }\n', ''),
      ]),
    );
    expect((await reread(t, agent, req.id)).breakGlass).toBeUndefined();
    const broken = await t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: agent,
      body: { reason: 'the database is down and nobody answers the pager' },
    });
    expectError(broken, 403, 'forbidden');
    const after = await reread(t, agent, req.id);
    expect(after.status).toBe('pending');
    expect(after.grant).toBeUndefined();
    expect(await auditEvents(t, auditor, 'type=action.break_glass')).toEqual([]);
  });
});

describe('a request pending when a reload allows its action outright', () => {
  it('stays pending on its old terms, with no grant, until a reviewer decides', async (test) => {
    const { t, agent, auditor, people, reload } = await seed(test);
    const req = await submit(t, agent, { action: 'pay.send', params: { amount: 777 } });
    const free = `  - name: pay-free
    match: { action: pay.send }
    effect: allow
`;
    await reload(policy([free, RULES.paybig]));
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({
      status: 'pending',
      rule: { name: 'paybig', effect: 'review' },
      policyVersion: req.policyVersion,
      approvers: ['ops'],
    });
    expect(after.grant).toBeUndefined();
    expect(await auditEvents(t, auditor, 'type=action.rebound')).toEqual([]);
    expect((await review(t, people.bob, req.id, 'approve')).body.status).toBe('approved');
  });
});

describe('a request whose new rule holds it only because its condition failed', () => {
  it('is held for review on that rule (fail closed), not let through by a later allow', async (test) => {
    const { t, agent, people, reload } = await seed(test);
    const req = await submit(t, agent, { action: 'pay.send', params: { amount: 777 } });
    // `params.currency` is absent: the condition cannot be evaluated, and the rule holds the request.
    const strict = `  - name: foreign
    match: { action: pay.send }
    when: params.currency != "EUR"
    effect: review
    approvers: [data]
  - name: pay-free
    match: { action: pay.send }
    effect: allow
`;
    await reload(policy([strict]));
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({ status: 'pending', rule: { name: 'foreign' }, approvers: ['data'] });
    expect(after.matched.error).toBeDefined();
    expectError(await review(t, people.bob, req.id, 'approve'), 403, 'not_an_approver');
  });
});
