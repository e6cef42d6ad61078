import * as client from 'openid-client';
import type { OidcSettings } from './session';

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** One discovery per process; a failed discovery is retried at the next sign-in, not cached. */
export class OidcClient {
  private config: Promise<client.Configuration> | undefined;
  constructor(private readonly settings: OidcSettings) {}

  get issuer(): string {
    return this.settings.issuer;
  }

  get emailsVerified(): boolean {
    return this.settings.emailsVerified;
  }

  configuration(): Promise<client.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.settings.issuer);
      // Plain http is refused by openid-client, as it should be; only an issuer on this machine
      // (the tests' real provider on 127.0.0.1) is let through.
      const insecure = issuer.protocol === 'http:' && LOOPBACK_HOST.test(issuer.hostname);
      this.config = client
        .discovery(
          issuer,
          this.settings.clientId,
          this.settings.clientSecret,
          undefined,
          insecure ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.config = undefined;
          throw error;
        });
    }
    return this.config;
  }

  /**
   * Where to send the browser, and the checks to keep (in a signed cookie) until it comes back. A
   * step-up asks for a fresh sign-in (`max_age=0`, `prompt=login`) and, when configured, an MFA `acr`.
   */
  async start(
    redirectUri: string,
    stepUp?: { acrValues: readonly string[] },
  ): Promise<{ url: string; checks: PendingChecks }> {
    const config = await this.configuration();
    const checks: PendingChecks = {
      verifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      ...(stepUp && {
        max_age: '0',
        prompt: 'login',
        ...(stepUp.acrValues.length > 0 && { acr_values: stepUp.acrValues.join(' ') }),
      }),
    });
    return { url: url.href, checks };
  }

  /** Exchanges the code (PKCE, state and nonce checked by openid-client) for the ID token's claims. */
  async finish(
    currentUrl: URL,
    checks: PendingChecks,
  ): Promise<{
    issuer: string;
    subject: string;
    email?: unknown;
    emailVerified?: unknown;
    acr?: unknown;
    amr?: unknown;
    authTime?: unknown;
  }> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the identity provider sent no ID token');
    let { email, email_verified: emailVerified } = claims;
    if (email === undefined) {
      // Some providers put the email in userinfo only.
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = info.email;
      emailVerified = info.email_verified;
    }
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email,
      emailVerified,
      acr: claims.acr,
      amr: claims.amr,
      authTime: claims.auth_time,
    };
  }
}

export type PendingChecks = { verifier: string; state: string; nonce: string };
