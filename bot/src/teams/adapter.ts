import type { AuthConfiguration, AuthProvider, Connections } from '@microsoft/agents-hosting';
import { CloudAdapter, type TurnContext } from '@microsoft/agents-hosting';
import type { TeamsConfig } from './config';
import type { EntraTokens } from './entra-token';

/**
 * The SDK asks for the resource ("https://api.botframework.com", or the caller's app id) the way MSAL
 * takes it; Entra's client-credentials grant wants `<resource>/.default` and refuses anything else.
 */
export const clientCredentialsScope = (resource: string): string =>
  resource.endsWith('/.default') ? resource : `${resource.replace(/\/+$/, '')}/.default`;

/** The SDK's token provider answered from our Entra client; the agentic and OBO flows are not ours. */
function provider(tokens: EntraTokens, settings: AuthConfiguration): AuthProvider {
  const unused = () => Promise.reject(new Error('not used by Countersign'));
  return {
    connectionSettings: settings,
    getAccessToken: (configOrScope: AuthConfiguration | string, scope?: string) =>
      tokens.token(clientCredentialsScope(typeof configOrScope === 'string' ? configOrScope : (scope ?? ''))),
    getAgenticApplicationToken: unused,
    getAgenticInstanceToken: unused,
    getAgenticUserToken: unused,
    acquireTokenOnBehalfOf: unused,
  } as AuthProvider;
}

/**
 * The Agents SDK's CloudAdapter: it verifies the Bot Framework JWT on every inbound activity (signature
 * from the issuer's JWKS, expiry, audience = our app id) and, with `validateIssuer`, the issuer too —
 * off by default, when any issuer's token signed by a trusted key would pass. Outbound calls get
 * tokens from our own client-credentials client (EntraTokens).
 */
export function createAdapter(
  config: TeamsConfig,
  tokens: EntraTokens,
  onError: (error: unknown) => void,
): CloudAdapter {
  const settings: AuthConfiguration = {
    clientId: config.appId,
    tenantId: config.tenantId,
    clientSecret: config.appPassword,
    authority: config.loginUrl,
    validateIssuer: true,
    ...(config.issuers && { issuers: config.issuers }),
  };
  const adapter = new CloudAdapter(settings);
  const connections: Connections = {
    getConnection: () => provider(tokens, settings),
    getDefaultConnection: () => provider(tokens, settings),
    getTokenProvider: () => provider(tokens, settings),
    getTokenProviderFromActivity: () => provider(tokens, settings),
    getDefaultConnectionConfiguration: () => settings,
  };
  adapter.connectionManager = connections;
  // The SDK's default tells the chat "fix the source code"; we log and say nothing in the chat.
  adapter.onTurnError = async (_context, error) => onError(error);
  return adapter;
}

type Collected = { status: number; body: unknown; headers: Record<string, string> };

/**
 * POST /teams/messages as a fetch handler: the SDK's Express-shaped request and response adapted to
 * a web Request. A bad body is the contract's 400; a refused token a 401 with no effect.
 */
export async function handleActivity(
  adapter: CloudAdapter,
  request: Request,
  logic: (context: TurnContext) => Promise<void>,
  onError: (error: unknown) => void,
): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return problem(400, 'invalid_request', 'the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return problem(400, 'invalid_request', 'the body is not an activity');
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const req = { body: body as Record<string, unknown>, headers, method: request.method };
  const out: Collected = { status: 200, body: undefined, headers: {} };
  const res = {
    headersSent: false,
    writableEnded: false,
    status(code: number) {
      out.status = code;
      return this;
    },
    setHeader(name: string, value: string) {
      out.headers[name] = value;
      return this;
    },
    send(payload?: unknown) {
      out.body = payload;
      return this;
    },
    end() {
      this.writableEnded = true;
      return this;
    },
  };
  let authorized = false;
  await adapter.authorizeRequest(req, res, () => {
    authorized = true;
  });
  if (!authorized) {
    const reason = (out.body as { 'jwt-auth-error'?: unknown } | undefined)?.['jwt-auth-error'];
    return problem(401, 'unauthenticated', 'the Bot Framework token was refused', {
      reason: typeof reason === 'string' ? reason : 'unauthorized',
    });
  }
  try {
    await adapter.process(req, res, logic);
  } catch (error) {
    onError(error);
    return problem(500, 'internal', 'the activity could not be handled');
  }
  if (out.status === 400) return problem(400, 'invalid_request', 'the activity is not valid');
  return new Response(out.body === undefined ? null : JSON.stringify(out.body), {
    status: out.status,
    headers: out.body === undefined ? {} : { 'content-type': 'application/json' },
  });
}

function problem(status: number, code: string, message: string, details?: Record<string, unknown>): Response {
  return Response.json({ error: { code, message, details: details ?? [] } }, { status });
}
