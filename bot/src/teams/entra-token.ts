/** Entra refused our credentials: retrying cannot help until someone fixes them. */
export class CredentialsRefused extends Error {}

// Entra's answers that mean the app id, secret or tenant are wrong (not a passing outage).
const REFUSED = new Set(['invalid_client', 'unauthorized_client', 'invalid_request', 'invalid_tenant']);

/**
 * Outbound tokens from Entra by client credentials (the app id and secret), one per scope, cached until
 * a minute before they expire. Plain OAuth 2.0 over fetch, so the login host can be an emulator in
 * tests: MSAL refuses any authority that is not https.
 */
export class EntraTokens {
  readonly #cache = new Map<string, { token: string; until: number }>();
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly options: { loginUrl: string; tenantId: string; appId: string; appPassword: string },
  ) {}

  token(scope: string): Promise<string> {
    const hit = this.#cache.get(scope);
    if (hit && Date.now() < hit.until) return Promise.resolve(hit.token);
    let pending = this.#inflight.get(scope);
    if (!pending) {
      pending = this.#fetch(scope).finally(() => this.#inflight.delete(scope));
      this.#inflight.set(scope, pending);
    }
    return pending;
  }

  async #fetch(scope: string): Promise<string> {
    const { loginUrl, tenantId, appId, appPassword } = this.options;
    const url = `${loginUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: appId,
        client_secret: appPassword,
        scope,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => ({}))) as {
      error?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    if (!response.ok) {
      const code = typeof body.error === 'string' ? body.error : undefined;
      if (code !== undefined && REFUSED.has(code)) throw new CredentialsRefused(code);
      throw new Error(`Entra token endpoint: ${code ?? `HTTP ${response.status}`}`);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new Error('Entra token endpoint: no access_token in its answer');
    const seconds = Number(body.expires_in) || 300;
    this.#cache.set(scope, { token: body.access_token, until: Date.now() + (seconds - 60) * 1000 });
    return body.access_token;
  }
}
