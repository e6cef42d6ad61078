import { serverForTest } from '../../server/test/harness';
import { IdpBrowser } from './idp-browser';
import { freePort, type IdpAccount, startIdp } from './oidc-provider';

/** The confidential client the test IdP and the server share. */
const CLIENT_ID = 'countersign';
const CLIENT_SECRET = 'a-client-secret-for-tests-only';

/**
 * A server whose console signs people in through a real OpenID Connect provider (oidc-provider on
 * 127.0.0.1), for one test. The server's port is chosen first because the IdP must know the
 * callback URL before the server starts. `env` adds to (or overrides) the OIDC settings, e.g. the
 * MFA acr for step-up tests; `loginForm` makes the IdP show its own login form (browser tests).
 *
 * `signIn` walks a fresh IdpBrowser through the IdP and back to `next`; it answers the last page,
 * whether a session cookie was set, and the browser (to go on as that person).
 */
export async function serverWithIdp(
  test: Parameters<typeof serverForTest>[0],
  policy: string,
  options: { env?: Record<string, string>; loginForm?: boolean } = {},
) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startIdp({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${publicUrl}/auth/callback`,
    ...(options.loginForm && { loginForm: true }),
  });
  test.onTestFinished(() => idp.close());
  const t = await serverForTest(test, {
    policy,
    env: {
      PORT: String(port),
      COUNTERSIGN_PUBLIC_URL: publicUrl,
      COUNTERSIGN_OIDC_ISSUER: idp.issuer,
      COUNTERSIGN_OIDC_CLIENT_ID: CLIENT_ID,
      COUNTERSIGN_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      ...options.env,
    },
  });
  const signIn = async (account: IdpAccount, next = '/mine') => {
    const browser = new IdpBrowser();
    idp.signInAs(account);
    const done = await browser.go(`${t.url}/auth/login?next=${encodeURIComponent(next)}`);
    return { ...done, signedIn: browser.jar.get(t.url)?.has('countersign') ?? false, browser };
  };
  return { t, idp, publicUrl, signIn };
}
