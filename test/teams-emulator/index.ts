import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Microsoft's side of a Teams bot, over HTTP on 127.0.0.1: the Entra token endpoint (client
 * credentials) and JWKS, the Bot Connector REST API (`/v3/conversations/...`, `/v3/teams/.../conversations`)
 * and Graph users. It refuses what the real services refuse: a missing or wrong bearer (401), an unknown
 * conversation or activity (404), an activity over 28 KB (413).
 */
export type TeamsEmulator = {
  url: string;
  appId: string;
  appPassword: string;
  tenantId: string;
  /** The Connector's service URL the emulated Teams sends in activities. */
  serviceUrl: string;
  /** Activities the bot posted, by conversation (top-level posts and thread replies). */
  posts: {
    conversationId: string;
    replyTo?: string;
    activity: Record<string, unknown>;
    id: string;
    at: number;
  }[];
  updates: { conversationId: string; activityId: string; activity: Record<string, unknown> }[];
  conversations: Map<string, { members: string[] }>;
  addTeam(team: { id: string; name: string; channels: { id: string; name: string | null }[] }): void;
  addUser(user: { aadObjectId: string; mail: string | null; accountEnabled?: boolean }): void;
  /** An activity Teams delivered to the bot (a 1:1 chat is created on first use), so replies to it are accepted. */
  inbound(conversationId: string, activityId: string): void;
  /** Teams' limit on one activity's body (28 KB); tests lower it to make a card too large. */
  maxActivityBytes: number;
  /** What the emulator refused, in order: 413 (too large), 429 (throttled) and failOnce's, with when. */
  refusals: { status: number; at: number }[];
  /** Graph answers 503 while down. */
  graphDown: boolean;
  /** The next N Connector calls answer 429 with this Retry-After. */
  throttle(times: number, retryAfterSeconds: number): void;
  /** The first Connector call `matches` picks answers `status` (a 500 by default), once. */
  failOnce(matches: (call: { method: string; path: string; body: string }) => boolean, status?: number): void;
  /** A Bot Framework token for an inbound activity, signed by the emulator's key unless `forged`. */
  token(options?: {
    issuer?: string;
    expiresIn?: number;
    forged?: boolean;
    audience?: string;
    serviceUrl?: string;
  }): string;
  stop(): Promise<void>;
};

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function signJwt(
  payload: Record<string, unknown>,
  key: ReturnType<typeof generateKeyPairSync>['privateKey'],
  kid: string,
): string {
  const head = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64(JSON.stringify(payload));
  return `${head}.${body}.${b64(sign('sha256', Buffer.from(`${head}.${body}`), key))}`;
}

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

export async function startTeamsEmulator(): Promise<TeamsEmulator> {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'emulator-key';
  const jwk = { ...keys.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const appId = randomUUID();
  const appPassword = 'emulator-client-secret';
  const tenantId = randomUUID();
  const tokens = new Map<string, string>(); // access token → scope
  const teams = new Map<string, { name: string; channels: { id: string; name: string | null }[] }>();
  const users = new Map<string, { mail: string | null; accountEnabled: boolean }>();
  const activities = new Map<string, Set<string>>(); // conversation → activity ids
  let throttled = 0;
  const failures: {
    matches: (call: { method: string; path: string; body: string }) => boolean;
    status: number;
  }[] = [];
  let retryAfter = 1;
  const state = {
    posts: [] as TeamsEmulator['posts'],
    updates: [] as TeamsEmulator['updates'],
    conversations: new Map<string, { members: string[] }>(),
    graphDown: false,
    maxActivityBytes: 28 * 1024,
    refusals: [] as TeamsEmulator['refusals'],
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const bearer = (req: IncomingMessage, scope: string) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return token !== undefined && tokens.get(token) === scope;
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const text = await read(req);
    // Entra
    if (req.method === 'POST' && path === `/${tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(text);
      if (form.get('client_id') !== appId || form.get('client_secret') !== appPassword)
        return json(res, 401, { error: 'invalid_client' });
      const token = `tok-${randomUUID()}`;
      tokens.set(token, form.get('scope') ?? '');
      return json(res, 200, { token_type: 'Bearer', access_token: token, expires_in: 3600 });
    }
    if (req.method === 'GET' && path === `/${tenantId}/discovery/v2.0/keys`)
      return json(res, 200, { keys: [jwk] });
    // Graph
    const graphUser = /^\/graph\/v1\.0\/users\/([^/]+)$/.exec(path);
    if (graphUser && req.method === 'GET') {
      if (state.graphDown) return json(res, 503, { error: { code: 'serviceNotAvailable' } });
      if (!bearer(req, 'https://graph.microsoft.com/.default'))
        return json(res, 401, { error: { code: 'InvalidAuthenticationToken' } });
      const user = users.get(decodeURIComponent(graphUser[1] ?? ''));
      if (!user) return json(res, 404, { error: { code: 'Request_ResourceNotFound' } });
      return json(res, 200, {
        mail: user.mail,
        userPrincipalName: 'upn@example.com',
        accountEnabled: user.accountEnabled,
      });
    }
    // Bot Connector
    if (path.startsWith('/v3/')) {
      if (!bearer(req, 'https://api.botframework.com/.default'))
        return json(res, 401, { message: 'Authorization has been denied for this request.' });
      if (throttled > 0) {
        throttled--;
        state.refusals.push({ status: 429, at: Date.now() });
        return json(res, 429, { error: { code: 'Throttled' } }, { 'retry-after': String(retryAfter) });
      }
      const failure = failures.findIndex((f) => f.matches({ method: req.method ?? '', path, body: text }));
      if (failure >= 0) {
        const [{ status } = { status: 500 }] = failures.splice(failure, 1);
        state.refusals.push({ status, at: Date.now() });
        return json(res, status, { error: { code: 'ServiceError', message: 'Failed as the test asked.' } });
      }
      const channels = /^\/v3\/teams\/([^/]+)\/conversations$/.exec(path);
      if (channels && req.method === 'GET') {
        const team = teams.get(decodeURIComponent(channels[1] ?? ''));
        if (!team) return json(res, 404, { error: { code: 'TeamNotFound' } });
        return json(res, 200, { conversations: team.channels });
      }
      if (req.method === 'POST' && path === '/v3/conversations') {
        const body = JSON.parse(text) as { members?: { id: string }[] };
        const id = `a:${randomUUID()}`;
        state.conversations.set(id, { members: (body.members ?? []).map((m) => m.id) });
        activities.set(id, new Set());
        return json(res, 201, { id });
      }
      const m = /^\/v3\/conversations\/([^/]+)\/(activities|members)(?:\/([^/]+))?$/.exec(path);
      const conversationId = decodeURIComponent(m?.[1] ?? '');
      const known = activities.get(conversationId);
      if (!m || !known)
        return json(res, 404, {
          error: { code: 'ConversationNotFound', message: 'Conversation not found.' },
        });
      if (m[2] === 'members')
        return json(
          res,
          200,
          (state.conversations.get(conversationId)?.members ?? []).map((id) => ({ id })),
        );
      if (Buffer.byteLength(text) > state.maxActivityBytes) {
        state.refusals.push({ status: 413, at: Date.now() });
        return json(res, 413, { error: { code: 'MessageSizeTooBig', message: 'Message size too big.' } });
      }
      const activity = JSON.parse(text) as Record<string, unknown>;
      const activityId = m[3] ? decodeURIComponent(m[3]) : undefined;
      if (req.method === 'PUT' && activityId) {
        if (!known.has(activityId)) return json(res, 404, { error: { code: 'ActivityNotFound' } });
        state.updates.push({ conversationId, activityId, activity });
        return json(res, 200, { id: activityId });
      }
      if (req.method === 'POST') {
        if (activityId && !known.has(activityId))
          return json(res, 404, { error: { code: 'ActivityNotFound' } });
        const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
        known.add(id);
        state.posts.push({
          conversationId,
          id,
          activity,
          at: Date.now(),
          ...(activityId && { replyTo: activityId }),
        });
        return json(res, 201, { id });
      }
    }
    json(res, 404, { error: { code: 'NotFound' } });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${url}/${tenantId}/v2.0`;
  return Object.assign(state, {
    url,
    appId,
    appPassword,
    tenantId,
    serviceUrl: `${url}/`,
    addTeam(team: { id: string; name: string; channels: { id: string; name: string | null }[] }) {
      teams.set(team.id, { name: team.name, channels: team.channels });
      for (const channel of team.channels) activities.set(channel.id, new Set());
    },
    inbound(conversationId: string, activityId: string) {
      let known = activities.get(conversationId);
      if (!known) {
        known = new Set();
        activities.set(conversationId, known);
      }
      known.add(activityId);
    },
    addUser(user: { aadObjectId: string; mail: string | null; accountEnabled?: boolean }) {
      users.set(user.aadObjectId, { mail: user.mail, accountEnabled: user.accountEnabled ?? true });
    },
    throttle(times: number, seconds: number) {
      throttled = times;
      retryAfter = seconds;
    },
    failOnce(matches: (call: { method: string; path: string; body: string }) => boolean, status = 500) {
      failures.push({ matches, status });
    },
    token(
      options: {
        issuer?: string;
        expiresIn?: number;
        forged?: boolean;
        audience?: string;
        serviceUrl?: string;
      } = {},
    ) {
      const now = Math.floor(Date.now() / 1000);
      const iss = options.issuer ?? issuer;
      const tid = /\/([0-9a-f-]{36})\/v2\.0$/.exec(iss)?.[1] ?? tenantId;
      return signJwt(
        {
          iss,
          aud: options.audience ?? appId,
          tid,
          serviceurl: options.serviceUrl ?? `${url}/`,
          nbf: now - 10,
          iat: now - 10,
          exp: now + (options.expiresIn ?? 3600),
        },
        options.forged ? forger.privateKey : keys.privateKey,
        kid,
      );
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  });
}
