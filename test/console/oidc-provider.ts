import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export type IdpAccount = {
  sub: string;
  email: string;
  email_verified?: boolean;
  /** How this sign-in was made, as the ID token says it (step-up tests): MFA or a password alone. */
  acr?: string;
  amr?: string[];
};

/** The test IdP's authentication context classes: one with MFA, one with a password only. */
export const MFA_ACR = 'urn:countersign:test:mfa';
export const PASSWORD_ACR = 'urn:countersign:test:pwd';

export type TestIdp = {
  issuer: string;
  /** Who the next sign-in at the provider is: the test plays the person at the IdP's login page. */
  signInAs(account: IdpAccount): void;
  close(): Promise<void>;
};

/** A free port on 127.0.0.1, for a server whose own URL must be known before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

/**
 * A real OpenID provider (oidc-provider 8) on 127.0.0.1 over plain http, with one confidential client.
 * Its login and consent screens are replaced by an interaction that signs in the account the test
 * chose and grants the scopes asked for, through the provider's own interaction API.
 */
export async function startIdp(options: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /**
   * Show a login form at the provider (email field, "Sign in" button) that the person fills in, as
   * a browser test drives it; without it the interaction signs in `signInAs`'s account at once.
   */
  loginForm?: boolean;
}): Promise<TestIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, IdpAccount>();
  let next: IdpAccount | undefined;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // amr is released with the openid scope, as Okta and Entra ID put it in every ID token.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'] },
    acrValues: [MFA_ACR, PASSWORD_ACR],
    // Its own signing key and cookie keys, as a real deployment has (and without its start-up warnings).
    jwks: {
      keys: [
        {
          ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
          use: 'sig',
        },
      ],
    },
    cookies: { keys: ['a-cookie-key-for-the-test-idp'] },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      // acr and amr belong to the sign-in, not the account: the provider adds them from the login.
      const claims = account && {
        sub: account.sub,
        email: account.email,
        email_verified: account.email_verified,
      };
      return claims ? { accountId: id, claims: () => ({ ...claims }) } : undefined;
    },
  });
  const handle = provider.callback();
  const server: Server = createServer(async (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const account = next;
      if (!account) throw new Error('the test did not say who signs in at the IdP');
      if (options.loginForm) {
        const typed = req.method === 'POST' ? await formEmail(req) : undefined;
        if (typed !== account.email) {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(loginPage(details.uid, typed === undefined ? '' : 'No such account at this provider.'));
          return;
        }
      }
      accounts.set(account.sub, account);
      const grant = new provider.Grant({ accountId: account.sub, clientId: options.clientId });
      const scope = String(details.params.scope ?? 'openid');
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, {
        login: {
          accountId: account.sub,
          ...(account.acr && { acr: account.acr }),
          ...(account.amr && { amr: account.amr }),
        },
        consent: { grantId },
      });
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return {
    issuer,
    signInAs: (account) => {
      next = account;
    },
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function formEmail(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body).get('email')?.trim() ?? '';
}

/** The provider's own sign-in page: an email and a button, on the IdP's origin. */
const loginPage = (uid: string, problem: string) =>
  `<!doctype html><html lang="en"><head><title>Test IdP: sign in</title></head><body><main>` +
  `<h1>Test identity provider</h1>${problem && `<p role="alert">${problem}</p>`}` +
  `<form method="post" action="/interaction/${uid}"><label for="email">Email</label>` +
  `<input id="email" name="email" type="email" required><button type="submit">Sign in at the IdP</button>` +
  `</form></main></body></html>`;
