import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/context';
import { reviewAction } from '../../server/src/services/actions/review-action';
import { consumeStepUp } from '../../server/src/services/step-up/consume-step-up';
import { startStepUp } from '../../server/src/services/step-up/start-step-up';
import { verifyMfaStepUp } from '../../server/src/services/step-up/verify-mfa-step-up';
import { auditEvents, expectError, submit, type TestServer } from '../../server/test/harness';
import { serverWithIdp } from './idp-server';
import { type IdpAccount, MFA_ACR, PASSWORD_ACR } from './oidc-provider';

const POLICY = [
  'version: 1',
  'groups:',
  '  reviewers: [alice@example.com, bob@example.com]',
  'defaults: { timeout: 15m, grantTtl: 5m }',
  'rules:',
  '  - name: prod-drops',
  '    match: { action: "db.drop" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '    stepUp: mfa',
  '  - name: wipes',
  '    match: { action: "db.wipe" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '    risk: critical',
  '  - name: plain',
  '    match: { action: "**" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '',
].join('\n');

const ALICE_MFA: IdpAccount = {
  sub: 'u-alice',
  email: 'alice@example.com',
  email_verified: true,
  acr: MFA_ACR,
  amr: ['pwd', 'otp'],
};

async function withIdp(test: Parameters<typeof serverWithIdp>[0]) {
  const { t, idp, signIn } = await serverWithIdp(test, POLICY, {
    env: {
      COUNTERSIGN_OIDC_MFA_ACR: MFA_ACR,
      // Only the acr decides here, so the password-only login below is refused for its acr alone.
      COUNTERSIGN_OIDC_MFA_AMR: 'hwk',
    },
  });
  /** A person signed in to the console through the IdP (their subject pinned). */
  const signedIn = async (account: IdpAccount) => {
    const done = await signIn(account, '/');
    if (done.status !== 200) throw new Error(`sign-in: ${done.status} ${done.text}`);
    return done.browser;
  };
  return { t, idp, signIn: signedIn };
}

const held = async (t: TestServer, action: string) =>
  submit(t, await t.agentKey(`agent-${action.replace('.', '-')}`, 'carol@example.com'), { action });

const readBack = async (t: TestServer, id: string) =>
  (
    await t.call<ActionRequest>('GET', `/v1/actions/${id}`, {
      key: await t.userKey('aud@example.com', ['audit:read']),
    })
  ).body;

const consoleActor = (email: string): Actor => ({
  kind: 'person',
  via: 'console',
  id: `user:${email}`,
  email,
  sessionId: 'ses_test',
  scopes: ['reviews:write', 'actions:write'],
});

describe('step-up approvals: the API', () => {
  it('refuses an API approval of a step-up rule with 403 step_up_required and the console URL; a deny needs none', async (test) => {
    const { t } = await withIdp(test);
    const req = await held(t, 'db.drop');
    expect(req.stepUp).toBe('mfa');
    const alice = await t.userKey('alice@example.com', ['reviews:write']);
    const refused = await t.call('POST', `/v1/actions/${req.id}/reviews`, {
      key: alice,
      body: { decision: 'approve' },
    });
    const error = expectError(refused, 403, 'step_up_required');
    expect(error.details).toEqual([
      {
        path: 'url',
        message: `${t.url}/requests/${req.id}/step-up`,
        url: `${t.url}/requests/${req.id}/step-up`,
      },
    ]);
    expect((await readBack(t, req.id)).status).toBe('pending');
    const audit = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=review.refused',
    );
    expect(audit.map((e) => e.data.code)).toEqual(['step_up_required']);

    const denied = await t.call<ActionRequest>('POST', `/v1/actions/${req.id}/reviews`, {
      key: await t.userKey('bob@example.com', ['reviews:write']),
      body: { decision: 'deny', comment: 'not today' },
    });
    expect(denied.status).toBe(200);
    expect(denied.body.status).toBe('denied');
  });

  it('risk: critical asks for mfa unless the rule says otherwise; a plain rule needs no step-up', async (test) => {
    const { t } = await withIdp(test);
    expect((await held(t, 'db.wipe')).stepUp).toBe('mfa');
    const plain = await held(t, 'db.migrate');
    expect(plain.stepUp).toBeUndefined();
    const ok = await t.call<ActionRequest>('POST', `/v1/actions/${plain.id}/reviews`, {
      key: await t.userKey('alice@example.com', ['reviews:write']),
      body: { decision: 'approve' },
    });
    expect(ok.body.status).toBe('approved');
  });
});

describe('step-up approvals: the console with a fresh MFA sign-in (oidc-provider on 127.0.0.1)', () => {
  it('Approve goes to the IdP with max_age=0, prompt=login and the MFA acr; the approval records the step-up', async (test) => {
    const { t, idp, signIn } = await withIdp(test);
    const req = await held(t, 'db.drop');
    const alice = await signIn(ALICE_MFA);
    await alice.go(`${t.url}/requests/${req.id}`);
    idp.signInAs(ALICE_MFA);
    const done = await alice.go(`${t.url}/requests/${req.id}/review`, {
      decision: 'approve',
      comment: 'checked',
    });
    expect(done.status).toBe(200);
    expect(done.url).toContain(`/requests/${req.id}?done=`);
    const after = await readBack(t, req.id);
    expect(after.status).toBe('approved');
    expect(after.reviews[0]).toMatchObject({
      reviewer: 'user:alice@example.com',
      comment: 'checked',
      via: 'console',
      stepUp: { method: 'mfa', acr: MFA_ACR, amr: ['pwd', 'otp'] },
    });
    const audit = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=review.recorded',
    );
    expect(audit[0]?.data.stepUp).toMatchObject({ method: 'mfa', acr: MFA_ACR });
  });

  it('the authorization request asks for a fresh MFA sign-in', async (test) => {
    const { t, signIn } = await withIdp(test);
    const req = await held(t, 'db.drop');
    const alice = await signIn(ALICE_MFA);
    await alice.go(`${t.url}/requests/${req.id}`);
    const res = await fetch(`${t.url}/requests/${req.id}/review`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: t.url,
        cookie: [...(alice.jar.get(t.url) ?? [])].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      body: new URLSearchParams({ _csrf: alice.csrf, decision: 'approve' }).toString(),
    });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location') ?? '');
    expect(to.searchParams.get('max_age')).toBe('0');
    expect(to.searchParams.get('prompt')).toBe('login');
    expect(to.searchParams.get('acr_values')).toBe(MFA_ACR);
  });

  it('refuses a password-only sign-in for mfa, and audits it', async (test) => {
    const { t, idp, signIn } = await withIdp(test);
    const req = await held(t, 'db.drop');
    const alice = await signIn(ALICE_MFA);
    await alice.go(`${t.url}/requests/${req.id}`);
    idp.signInAs({ ...ALICE_MFA, acr: PASSWORD_ACR, amr: ['pwd'] });
    const done = await alice.go(`${t.url}/requests/${req.id}/review`, { decision: 'approve' });
    expect(done.status).toBe(403);
    expect(done.text).toContain('did not report a sign-in with MFA');
    expect((await readBack(t, req.id)).status).toBe('pending');
    const audit = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=step_up.refused',
    );
    expect(audit.map((e) => e.data.reason)).toEqual(['not_mfa']);
  });

  it('refuses a step-up where the IdP signed in someone else', async (test) => {
    const { t, idp, signIn } = await withIdp(test);
    const req = await held(t, 'db.drop');
    const alice = await signIn(ALICE_MFA);
    await alice.go(`${t.url}/requests/${req.id}`);
    // Someone else at the IdP in this browser (a fresh IdP session, as after switching accounts there).
    alice.jar.delete(new URL(idp.issuer).origin);
    idp.signInAs({ ...ALICE_MFA, sub: 'u-bob', email: 'bob@example.com' });
    const done = await alice.go(`${t.url}/requests/${req.id}/review`, { decision: 'approve' });
    expect(done.status, done.url + done.text.slice(0, 600)).toBe(403);
    expect(done.text).toContain('signed in someone else');
    expect((await readBack(t, req.id)).status).toBe('pending');
  });
});

describe('step-up approvals: a proof counts for its person, its request, five minutes, once', () => {
  /** A step-up alice verified for `id` (the core verbs the console's callback calls). */
  const verified = async (t: TestServer, id: string, email = 'alice@example.com') => {
    const ctx = { core: t.server.core, actor: consoleActor(email) };
    const started = await startStepUp({ ctx, id });
    await verifyMfaStepUp({
      ctx,
      stepUpId: started.id,
      claims: {
        issuer: 'https://idp.example',
        subject: 'u-1',
        email,
        emailVerified: true,
        acr: MFA_ACR,
        authTime: Math.ceil(t.server.core.now() / 1000),
      },
    });
    return started.id;
  };
  const approve = (t: TestServer, id: string, stepUp: string, email = 'alice@example.com') =>
    reviewAction({
      ctx: { core: t.server.core, actor: consoleActor(email) },
      id,
      input: { decision: 'approve' },
      stepUp,
    });

  it('refuses a step-up older than five minutes (core.now moved on)', async (test) => {
    const { t } = await withIdp(test);
    const req = await held(t, 'db.drop');
    const proof = await verified(t, req.id);
    const real = t.server.core.now;
    t.server.core.now = () => real() + 5 * 60_000 + 1_000;
    await expect(approve(t, req.id, proof)).rejects.toMatchObject({ code: 'step_up_required' });
    t.server.core.now = real;
    expect((await approve(t, req.id, await verified(t, req.id))).status).toBe('approved');
  });

  it("refuses another person's step-up and one made for another request", async (test) => {
    const { t } = await withIdp(test);
    const first = await held(t, 'db.drop');
    const second = await held(t, 'db.drop');
    const alices = await verified(t, first.id);
    await expect(approve(t, first.id, alices, 'bob@example.com')).rejects.toMatchObject({
      code: 'step_up_required',
    });
    await expect(approve(t, second.id, alices)).rejects.toMatchObject({ code: 'step_up_required' });
    expect((await approve(t, first.id, alices)).status).toBe('approved');
  });

  it('spends a step-up once', async (test) => {
    const { t } = await withIdp(test);
    const req = await held(t, 'db.drop');
    const proof = await verified(t, req.id);
    const wanted = { id: proof, person: 'alice@example.com', actionId: req.id, method: 'mfa' as const };
    const core = t.server.core;
    const spend = () => core.writes.run((tx) => consumeStepUp(tx, core.now(), wanted));
    expect(await spend()).toHaveProperty('evidence');
    expect(await spend()).toEqual({ refused: true });
  });
});
