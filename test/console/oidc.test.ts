import { describe, expect, it } from 'vitest';
import { auditEvents, serverForTest, type TestServer } from '../../server/test/harness';
import { freePort, type IdpAccount, startIdp } from './oidc-provider';

const POLICY = ['version: 1', 'groups:', '  reviewers: [alice@example.com]', 'rules: []', ''].join('\n');

/** A browser's cookie jar and redirect-following, across Countersign and the IdP (two origins). */
async function browse(
  start: string,
): Promise<{ final: Response; url: string; jar: Map<string, Map<string, string>> }> {
  const jar = new Map<string, Map<string, string>>();
  let url = start;
  for (let hop = 0; hop < 12; hop += 1) {
    const origin = new URL(url).origin;
    const cookies = jar.get(origin) ?? new Map<string, string>();
    jar.set(origin, cookies);
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, pair.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return { final: res, url, jar };
    await res.arrayBuffer();
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

async function withIdp(test: Parameters<typeof serverForTest>[0], env: Record<string, string> = {}) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startIdp({
    clientId: 'countersign',
    clientSecret: 'a-client-secret-for-tests-only',
    redirectUri: `${publicUrl}/auth/callback`,
  });
  test.onTestFinished(() => idp.close());
  const t = await serverForTest(test, {
    policy: POLICY,
    env: {
      PORT: String(port),
      COUNTERSIGN_PUBLIC_URL: publicUrl,
      COUNTERSIGN_OIDC_ISSUER: idp.issuer,
      COUNTERSIGN_OIDC_CLIENT_ID: 'countersign',
      COUNTERSIGN_OIDC_CLIENT_SECRET: 'a-client-secret-for-tests-only',
      ...env,
    },
  });
  const signIn = async (account: IdpAccount) => {
    idp.signInAs(account);
    const done = await browse(`${t.url}/auth/login?next=%2Fmine`);
    return {
      status: done.final.status,
      url: done.url,
      text: await done.final.text(),
      jar: done.jar.get(t.url),
    };
  };
  return { t, signIn };
}

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
    expect(done.jar?.has('countersign')).toBe(false);
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
