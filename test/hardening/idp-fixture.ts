import { serverForTest } from '../../server/test/harness';
import { IdpBrowser } from '../console/idp-browser';
import { freePort, type IdpAccount, startIdp } from '../console/oidc-provider';

/**
 * A server whose console signs people in through a real OpenID Connect provider (oidc-provider on
 * 127.0.0.1), for one test. `signIn` walks a fresh browser through the IdP and back to /mine.
 */
export async function serverWithIdp(test: Parameters<typeof serverForTest>[0], policy: string) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startIdp({
    clientId: 'countersign',
    clientSecret: 'a-client-secret-for-tests-only',
    redirectUri: `${publicUrl}/auth/callback`,
  });
  test.onTestFinished(() => idp.close());
  const t = await serverForTest(test, {
    policy,
    env: {
      PORT: String(port),
      COUNTERSIGN_PUBLIC_URL: publicUrl,
      COUNTERSIGN_OIDC_ISSUER: idp.issuer,
      COUNTERSIGN_OIDC_CLIENT_ID: 'countersign',
      COUNTERSIGN_OIDC_CLIENT_SECRET: 'a-client-secret-for-tests-only',
    },
  });
  const signIn = async (account: IdpAccount) => {
    const browser = new IdpBrowser();
    idp.signInAs(account);
    const done = await browser.go(`${t.url}/auth/login?next=%2Fmine`);
    return { ...done, signedIn: browser.jar.get(t.url)?.has('countersign') ?? false };
  };
  return { t, idp, signIn };
}
