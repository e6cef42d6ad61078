import { describe, expect, it } from 'vitest';
import { auditEvents, type TestServer } from '../../server/test/harness';
import { serverWithIdp } from './idp-server';

const POLICY = ['version: 1', 'groups:', '  reviewers: [alice@example.com]', 'rules: []', ''].join('\n');

const withIdp = (test: Parameters<typeof serverWithIdp>[0], env: Record<string, string> = {}) =>
  serverWithIdp(test, POLICY, { env });

const refusals = async (t: TestServer) =>
  (await auditEvents(t, await t.userKey('aud@example.com', ['audit:read']), 'type=session.refused')).map(
    (e) => e.data.reason,
  );

describe('console: sign-in through an OpenID Connect provider (oidc-provider on 127.0.0.1)', () => {
  it('signs in a person with a verified email and pins the IdP subject', async (test) => {
    const { t, signIn } = await withIdp(test);
    const done = await signIn({ sub: 'u-1', email: 'Alice@Example.com', email_verified: true });
    expect(done.status).toBe(200);
    expect(done.url).toBe(`${t.url}/mine`);
    expect(done.text).toContain('alice@example.com');
    const started = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=session.started',
    );
    expect(started.map((e) => [e.subject, e.data.via, e.data.idpSubject, e.data.pinned])).toEqual([
      ['user:alice@example.com', 'oidc', 'u-1', true],
    ]);
  });

  it('refuses an unverified email, and audits it', async (test) => {
    const { t, signIn } = await withIdp(test);
    const done = await signIn({ sub: 'u-2', email: 'mallory@example.com', email_verified: false });
    expect(done.status).toBe(403);
    expect(done.text).toContain('not verified');
    expect(done.signedIn).toBe(false);
    expect(await refusals(t)).toEqual(['email_unverified']);
  });

  it('accepts an email without email_verified only from an issuer listed as verifying emails', async (test) => {
    const { signIn } = await withIdp(test, { COUNTERSIGN_OIDC_EMAILS_VERIFIED: 'true' });
    expect((await signIn({ sub: 'u-3', email: 'alice@example.com' })).status).toBe(200);
  });

  it('refuses a recycled email arriving with another subject', async (test) => {
    const { t, signIn } = await withIdp(test);
    expect((await signIn({ sub: 'u-old', email: 'alice@example.com', email_verified: true })).status).toBe(
      200,
    );
    const recycled = await signIn({ sub: 'u-new', email: 'alice@example.com', email_verified: true });
    expect(recycled.status).toBe(403);
    expect(recycled.text).toContain('already belongs to another account');
    expect(await refusals(t)).toEqual(['subject_mismatch']);
  });

  it('refuses a callback whose state does not match the sign-in it started', async (test) => {
    const { t } = await withIdp(test);
    const forged = await fetch(`${t.url}/auth/callback?code=abc&state=xyz`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(forged.headers.getSetCookie().some((c) => c.startsWith('countersign='))).toBe(false);
  });
});
