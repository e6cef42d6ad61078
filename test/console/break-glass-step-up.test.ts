import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/context';
import { breakGlass } from '../../server/src/services/actions/break-glass';
import { reviewAction } from '../../server/src/services/actions/review-action';
import { consumeStepUp } from '../../server/src/services/step-up/consume-step-up';
import { startStepUp } from '../../server/src/services/step-up/start-step-up';
import { verifyMfaStepUp } from '../../server/src/services/step-up/verify-mfa-step-up';
import { auditEvents, expectError, serverForTest, submit, type TestServer } from '../../server/test/harness';
import { serverWithIdp } from './idp-server';
import { freePort, type IdpAccount, MFA_ACR } from './oidc-provider';

// Issue 16 × step-up: on a rule that asks for a step-up (risk: critical implies MFA), break-glass is an
// approval like any other and must not skip it. An agent's key cannot step up; its owner can, in the
// console, for breaking this request's glass only. And a standing approval would skip every later
// step-up, so the review verb refuses one on such a request.

const POLICY = [
  'version: 1',
  'groups:',
  '  oncall: [alice@example.com, bob@example.com]',
  'defaults: { timeout: 15m, grantTtl: 5m }',
  'rules:',
  '  - name: prod-deploys-after-hours',
  '    match: { action: "deploy.*" }',
  '    effect: review',
  '    approvers: [oncall]',
  '    risk: critical',
  '    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }',
  '  - name: plain-glass',
  '    match: { action: "restart.*" }',
  '    effect: review',
  '    approvers: [oncall]',
  '    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }',
  '',
].join('\n');
const REASON = 'The on-call pager is down and prod is burning at 03:00.';
const CAROL: IdpAccount = {
  sub: 'u-carol',
  email: 'carol@example.com',
  email_verified: true,
  acr: MFA_ACR,
  amr: ['pwd', 'otp'],
};

const consoleActor = (email: string): Actor => ({
  kind: 'person',
  via: 'console',
  id: `user:${email}`,
  email,
  sessionId: 'ses_test',
  scopes: ['reviews:write', 'actions:write'],
});

async function start(test: Parameters<typeof serverForTest>[0], policy = POLICY) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await serverForTest(test, {
    policy,
    env: { PORT: String(port), COUNTERSIGN_PUBLIC_URL: publicUrl },
  });
  const agent = await t.agentKey('deployer', 'carol@example.com');
  return { t, agent };
}

/** A step-up carol (or `email`) verified for `id` and `purpose`: the core verbs the console calls. */
async function verified(
  t: TestServer,
  id: string,
  purpose: 'approve' | 'break_glass',
  email = 'carol@example.com',
): Promise<string> {
  const ctx = { core: t.server.core, actor: consoleActor(email) };
  const started = await startStepUp({ ctx, id, comment: REASON, purpose });
  await verifyMfaStepUp({
    ctx,
    stepUpId: started.id,
    claims: {
      issuer: 'https://idp.example',
      subject: `u-${email}`,
      email,
      emailVerified: true,
      amr: ['pwd', 'otp'],
      authTime: Math.ceil(t.server.core.now() / 1000),
    },
  });
  return started.id;
}

const readBack = async (t: TestServer, id: string) =>
  (
    await t.call<ActionRequest>('GET', `/v1/actions/${id}`, {
      key: await t.userKey('aud@example.com', ['audit:read']),
    })
  ).body;

describe('break-glass on a step-up rule', () => {
  it("refuses the agent's key with 403 step_up_required naming its owner's console step-up page", async (test) => {
    const { t, agent } = await start(test);
    const req = await submit(t, agent, { action: 'deploy.api' });
    expect(req).toMatchObject({ risk: 'critical', stepUp: 'mfa', status: 'pending' });
    const refused = await t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: agent,
      body: { reason: REASON },
    });
    const error = expectError(refused, 403, 'step_up_required');
    const url = `${t.url}/requests/${req.id}/step-up?for=break-glass`;
    expect(error.details).toEqual([{ path: 'url', message: url, url }]);
    expect(error.message).toContain('agent’s owner');
    expect((await readBack(t, req.id)).status).toBe('pending');

    // The same agent on a rule with no step-up breaks the glass as before.
    const plain = await submit(t, agent, { action: 'restart.api' });
    const broken = await t.call<ActionRequest>('POST', `/v1/actions/${plain.id}/break-glass`, {
      key: agent,
      body: { reason: REASON },
    });
    expect(broken.status).toBe(200);
    expect(broken.body.status).toBe('approved');
  });

  it('refuses the owner with no step-up (an API key), and with a step-up made to approve', async (test) => {
    const { t, agent } = await start(test);
    const req = await submit(t, agent, { action: 'deploy.api' });
    const carol = await t.userKey('carol@example.com', ['actions:write']);
    const refused = await t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: carol,
      body: { reason: REASON },
    });
    expectError(refused, 403, 'step_up_required');

    // Alice's proof for approving this request: it does not break the glass, and stays good to approve.
    const alices = await verified(t, req.id, 'approve', 'alice@example.com');
    const core = t.server.core;
    const wanted = { id: alices, person: 'alice@example.com', actionId: req.id, method: 'mfa' as const };
    expect(
      await core.writes.run((tx) => consumeStepUp(tx, core.now(), { ...wanted, purpose: 'break_glass' })),
    ).toEqual({ refused: true });
    // And carol's proof for breaking the glass is no approval (nor hers to make: she owns the agent).
    const carols = await verified(t, req.id, 'break_glass');
    expect(
      await core.writes.run((tx) =>
        consumeStepUp(tx, core.now(), { ...wanted, id: carols, person: 'carol@example.com' }),
      ),
    ).toEqual({ refused: true });
    expect((await readBack(t, req.id)).status).toBe('pending');
    const approved = await reviewAction({
      ctx: { core, actor: consoleActor('alice@example.com') },
      id: req.id,
      input: { decision: 'approve' },
      stepUp: alices,
    });
    expect(approved.status).toBe('approved');
  });

  it('breaks the glass for the owner after a break-glass MFA step-up, once, with the evidence audited', async (test) => {
    const { t, agent } = await start(test);
    const req = await submit(t, agent, { action: 'deploy.api' });
    const ctx = { core: t.server.core, actor: consoleActor('carol@example.com') };
    // Approving is not carol's to step up for: she owns the agent.
    await expect(startStepUp({ ctx, id: req.id })).rejects.toMatchObject({ code: 'self_approval' });
    // Nor is breaking the glass an approver's.
    await expect(
      startStepUp({
        ctx: { ...ctx, actor: consoleActor('alice@example.com') },
        id: req.id,
        purpose: 'break_glass',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const proof = await verified(t, req.id, 'break_glass');
    const broken = await breakGlass({ ctx, id: req.id, input: { reason: REASON }, stepUp: proof });
    expect(broken).toMatchObject({
      status: 'approved',
      breakGlass: { reason: REASON, by: 'user:carol@example.com', followUp: { status: 'open' } },
    });
    const audit = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=action.break_glass',
    );
    expect(audit[0]?.data).toMatchObject({ reason: REASON, stepUp: { method: 'mfa', amr: ['pwd', 'otp'] } });

    // A spent step-up breaks nothing more: a second request of the same rule is refused with it.
    const again = await submit(t, agent, { action: 'deploy.web' });
    await expect(
      breakGlass({ ctx, id: again.id, input: { reason: REASON }, stepUp: proof }),
    ).rejects.toMatchObject({ code: 'step_up_required' });
    // A break-glass step-up is not started where the rule does not allow break-glass, or after the decision.
    await expect(startStepUp({ ctx, id: req.id, purpose: 'break_glass' })).rejects.toMatchObject({
      code: 'not_pending',
    });
  });

  it('the console: the break-glass form goes through a fresh MFA sign-in carrying the reason, then breaks the glass', async (test) => {
    const { t, idp, signIn } = await serverWithIdp(test, POLICY, {
      env: { COUNTERSIGN_OIDC_MFA_ACR: MFA_ACR },
    });
    const req = await submit(t, await t.agentKey('deployer', 'carol@example.com'), { action: 'deploy.api' });
    const signedIn = await signIn(CAROL, '/');
    expect(signedIn.status).toBe(200);
    const carol = signedIn.browser;
    const page = await carol.go(`${t.url}/requests/${req.id}`);
    expect(page.text).toContain('Continue with MFA to break the glass');
    idp.signInAs(CAROL);
    const done = await carol.go(`${t.url}/requests/${req.id}/break-glass`, { reason: REASON });
    expect(done.status, done.text.slice(0, 400)).toBe(200);
    expect(done.url).toContain(`/requests/${req.id}?done=`);
    expect(await readBack(t, req.id)).toMatchObject({
      status: 'approved',
      breakGlass: { reason: REASON, by: 'user:carol@example.com' },
    });
    const audit = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=action.break_glass',
    );
    expect(audit[0]?.data).toMatchObject({ reason: REASON, stepUp: { method: 'mfa', acr: MFA_ACR } });
    const verifiedEvents = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=step_up.verified',
    );
    expect(verifiedEvents.map((e) => [e.actor, e.subject, e.data.purpose])).toEqual([
      ['user:carol@example.com', req.id, 'break_glass'],
    ]);
  });
});

describe('standing approvals on a step-up request', () => {
  it('the review verb refuses standing with 409 standing_not_allowed, even under a policy loaded before the check', async (test) => {
    const { t, agent } = await start(test);
    const req = await submit(t, agent, { action: 'deploy.api' });
    // A request submitted under a policy loaded before `policy check` refused standing beside a
    // step-up: the rule's standing terms were copied onto it at submission.
    await t.rawDb().execute({
      sql: 'update actions set standing_max_ms = 3600000, standing_uses = 5 where id = ?',
      args: [req.id],
    });
    const alice = await t.userKey('alice@example.com', ['reviews:write']);
    const refused = await t.call('POST', `/v1/actions/${req.id}/reviews`, {
      key: alice,
      body: { decision: 'approve', standing: { for: '30m', uses: 2 } },
    });
    expectError(refused, 409, 'standing_not_allowed');
    expect((await readBack(t, req.id)).status).toBe('pending');
  });
});
