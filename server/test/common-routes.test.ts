import { ActionList, ActionRequest, AuditEvent, AuditVerification } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { z } from 'zod';
import {
  detailPaths,
  expectError,
  keyIdOf,
  reviewPolicy,
  serverForTest,
  submit,
  type TestServer,
} from './harness';

/** What every route test seeds for itself: one principal per role, a pending and an allowed request. */
type Seeded = {
  t: TestServer;
  agent: string;
  otherAgent: string;
  approver: string;
  auditor: string;
  admin: string;
  pending: ActionRequest;
  allowed: ActionRequest;
};

async function seed(test: TestContext): Promise<Seeded> {
  const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
  const [agent, otherAgent, approver, auditor, admin] = await Promise.all([
    t.agentKey('deploy-bot', 'alice@example.com'),
    t.agentKey('other-bot', 'erin@example.com'),
    t.userKey('bob@example.com', ['reviews:write']),
    t.userKey('audra@example.com', ['audit:read']),
    t.userKey('root@example.com', ['admin']),
  ]);
  const [pending, allowed] = await Promise.all([
    submit(t, agent, { action: 'deploy.run', environment: 'prod' }),
    submit(t, agent, { action: 'deploy.getStatus' }),
  ]);
  return { t, agent, otherAgent, approver, auditor, admin, pending, allowed };
}

type Route = {
  label: string;
  method: 'GET' | 'POST';
  path: (s: Seeded) => string;
  /** A body the route accepts; absent when the route takes none. */
  body?: (s: Seeded) => Record<string, unknown>;
  /** The key the route is meant for, and the success status it then answers. */
  rightKey: (s: Seeded) => string;
  ok: number;
  /** The contract's shape of that success answer. */
  shape: z.ZodType;
  /** A key of the wrong kind or scope, and the refusal it gets. */
  wrong?: { key: (s: Seeded) => string; status: number; code: string };
  /** A malformed body and the field paths its 400 must name. */
  badBody?: { body: Record<string, unknown>; paths: string[] };
};

const ROUTES: Route[] = [
  {
    label: 'POST /v1/actions',
    method: 'POST',
    path: () => '/v1/actions',
    body: () => ({ action: 'deploy.run', environment: 'staging' }),
    rightKey: (s) => s.agent,
    ok: 201,
    shape: ActionRequest,
    wrong: { key: (s) => s.auditor, status: 403, code: 'forbidden' },
    badBody: {
      body: { action: 'drop table!', environment: 'prod env', params: [1], source: 'fax' },
      paths: ['action', 'environment', 'params', 'source'],
    },
  },
  {
    label: 'GET /v1/actions/:id',
    method: 'GET',
    path: (s) => `/v1/actions/${s.pending.id}`,
    rightKey: (s) => s.agent,
    ok: 200,
    shape: ActionRequest,
    // Reading needs no scope, only a tie to the request: to anyone else it does not exist.
    wrong: { key: (s) => s.otherAgent, status: 404, code: 'not_found' },
  },
  {
    label: 'GET /v1/actions',
    method: 'GET',
    path: () => '/v1/actions',
    rightKey: (s) => s.agent,
    ok: 200,
    shape: ActionList,
    // No scope gates listing: a key tied to nothing gets an empty page (tested below).
  },
  {
    label: 'POST /v1/actions/:id/reviews',
    method: 'POST',
    path: (s) => `/v1/actions/${s.pending.id}/reviews`,
    body: () => ({ decision: 'approve', comment: 'fine' }),
    rightKey: (s) => s.approver,
    ok: 200,
    shape: ActionRequest,
    wrong: { key: (s) => s.otherAgent, status: 403, code: 'forbidden' },
    badBody: { body: { decision: 'maybe', comment: 7 }, paths: ['decision', 'comment'] },
  },
  {
    label: 'POST /v1/actions/:id/cancel',
    method: 'POST',
    path: (s) => `/v1/actions/${s.pending.id}/cancel`,
    rightKey: (s) => s.agent,
    ok: 200,
    shape: ActionRequest,
    wrong: { key: (s) => s.auditor, status: 403, code: 'forbidden' },
  },
  {
    label: 'POST /v1/grants/redeem',
    method: 'POST',
    path: () => '/v1/grants/redeem',
    body: (s) => ({ token: s.allowed.grant?.token ?? 'missing', digest: s.allowed.digest }),
    rightKey: (s) => s.agent,
    ok: 200,
    shape: z.strictObject({ ok: z.literal(true), actionId: z.string(), grantId: z.string() }),
    wrong: { key: (s) => s.auditor, status: 403, code: 'forbidden' },
    badBody: { body: { token: '', digest: 'md5:abc' }, paths: ['token', 'digest'] },
  },
  {
    label: 'GET /v1/audit',
    method: 'GET',
    path: () => '/v1/audit',
    rightKey: (s) => s.auditor,
    ok: 200,
    shape: z.strictObject({ events: z.array(AuditEvent) }),
    wrong: { key: (s) => s.agent, status: 403, code: 'forbidden' },
  },
  {
    label: 'GET /v1/audit/verify',
    method: 'GET',
    path: () => '/v1/audit/verify',
    rightKey: (s) => s.auditor,
    ok: 200,
    shape: AuditVerification,
    wrong: { key: (s) => s.agent, status: 403, code: 'forbidden' },
  },
  {
    label: 'POST /v1/admin/policy/reload',
    method: 'POST',
    path: () => '/v1/admin/policy/reload',
    rightKey: (s) => s.admin,
    ok: 200,
    shape: z.object({ version: z.string(), changed: z.boolean() }),
    wrong: { key: (s) => s.approver, status: 403, code: 'forbidden' },
  },
  {
    label: 'POST /v1/keys',
    method: 'POST',
    path: () => '/v1/keys',
    body: () => ({ user: 'dana@example.com', scopes: ['reviews:write'] }),
    rightKey: (s) => s.admin,
    ok: 201,
    shape: z.object({ id: z.string().startsWith('key_'), key: z.string().startsWith('csk_') }),
    wrong: { key: (s) => s.approver, status: 403, code: 'forbidden' },
    badBody: { body: { user: 'dana@example.com', scopes: ['root'] }, paths: ['scopes.0'] },
  },
  {
    label: 'GET /v1/keys',
    method: 'GET',
    path: () => '/v1/keys',
    rightKey: (s) => s.admin,
    ok: 200,
    shape: z.object({ keys: z.array(z.object({ id: z.string(), principal: z.string() })) }),
    wrong: { key: (s) => s.agent, status: 403, code: 'forbidden' },
  },
  {
    label: 'GET /v1/me',
    method: 'GET',
    path: () => '/v1/me',
    rightKey: (s) => s.agent,
    ok: 200,
    shape: z.strictObject({
      kind: z.literal('agent'),
      id: z.literal('agent:deploy-bot'),
      name: z.literal('deploy-bot'),
      owner: z.literal('alice@example.com'),
      keyId: z.string().startsWith('key_'),
      scopes: z.array(z.string()),
    }),
    // Any live key may ask who it is: there is no wrong key, only a missing or bad one.
  },
];

const call = (s: Seeded, route: Route, options: { key?: string; headers?: Record<string, string> }) =>
  s.t.call(route.method, route.path(s), { ...options, ...(route.body && { body: route.body(s) }) });

/** Authorization headers that name no live key: each must be refused before anything else happens. */
const BAD_AUTH: Array<{ name: string; header: (good: string) => string }> = [
  { name: 'a malformed key', header: () => 'Bearer not-a-key' },
  { name: 'another scheme', header: (good) => `Basic ${good}` },
  { name: 'an empty bearer', header: () => 'Bearer ' },
  { name: 'an unknown key', header: () => `Bearer csk_${'0'.repeat(26)}_${'A'.repeat(43)}` },
  {
    name: 'a known key id with the wrong secret',
    header: (good) => `Bearer csk_${keyIdOf(good).slice(4)}_${'B'.repeat(43)}`,
  },
];

const BROKEN_JSON: Array<[string, string]> = [
  ['truncated JSON', '{"action": "deploy.run"'],
  ['an empty body', ''],
  ['a JSON array', '[]'],
  ['JSON null', 'null'],
  ['a bare string', '"approve"'],
];

const NOT_JSON = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'];

describe.each(ROUTES)('$label', (route) => {
  it('serves the key it is meant for (so the refusals below are about the key alone)', async (test) => {
    const s = await seed(test);
    const reply = await call(s, route, { key: route.rightKey(s) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(route.ok);
    const parsed = route.shape.safeParse(reply.body);
    expect(parsed.success, parsed.error?.message).toBe(true);
  });

  it('refuses a call without a key: 401 unauthenticated', async (test) => {
    const s = await seed(test);
    expectError(await call(s, route, {}), 401, 'unauthenticated');
  });

  it('refuses a malformed, unknown, mis-signed or revoked key: 401 unauthenticated', async (test) => {
    const s = await seed(test);
    const good = route.rightKey(s);
    for (const { name, header } of BAD_AUTH) {
      const reply = await call(s, route, { headers: { authorization: header(good) } });
      expectError(reply, 401, 'unauthenticated', name);
    }
    await s.t.revokeKey(good);
    expectError(await call(s, route, { key: good }), 401, 'unauthenticated', 'a revoked key');
  });

  const { wrong } = route;
  if (wrong) {
    it(`refuses a key of the wrong kind or scope: ${wrong.status} ${wrong.code}`, async (test) => {
      const s = await seed(test);
      expectError(await call(s, route, { key: wrong.key(s) }), wrong.status, wrong.code);
    });
  }

  const { badBody, body } = route;
  if (badBody && body) {
    it('refuses a malformed body: 400 invalid_request naming every offending field', async (test) => {
      const s = await seed(test);
      const reply = await s.t.call(route.method, route.path(s), {
        key: route.rightKey(s),
        body: badBody.body,
      });
      const error = expectError(reply, 400, 'invalid_request');
      expect(detailPaths(error)).toEqual([...badBody.paths].sort());
    });

    it('refuses an unknown top-level field: 400 naming it', async (test) => {
      const s = await seed(test);
      const reply = await s.t.call(route.method, route.path(s), {
        key: route.rightKey(s),
        body: { ...body(s), sneaky: true },
      });
      const error = expectError(reply, 400, 'invalid_request');
      expect(detailPaths(error)).toContain('sneaky');
    });

    it('refuses JSON that does not parse or is not an object: 400 invalid_request', async (test) => {
      const s = await seed(test);
      for (const [name, rawBody] of BROKEN_JSON) {
        const reply = await s.t.call(route.method, route.path(s), {
          key: route.rightKey(s),
          rawBody,
          headers: { 'content-type': 'application/json' },
        });
        expectError(reply, 400, 'invalid_request', name);
      }
    });
  }

  if (route.method === 'POST') {
    it('refuses a body that is not sent as JSON, even when it parses as JSON: 400', async (test) => {
      const s = await seed(test);
      for (const contentType of NOT_JSON) {
        const reply = await s.t.call(route.method, route.path(s), {
          key: route.rightKey(s),
          rawBody: JSON.stringify(body ? body(s) : {}),
          headers: { 'content-type': contentType },
        });
        expectError(reply, 400, 'invalid_request', contentType);
      }
      // Nothing was done on the way to the refusal: the route still serves its key afterwards.
      const after = await call(s, route, { key: route.rightKey(s) });
      expect(after.status, JSON.stringify(after.body)).toBe(route.ok);
    });
  }
});

describe('GET /v1/actions with a key tied to nothing', () => {
  it('answers an empty page rather than anyone else’s requests', async (test) => {
    const s = await seed(test);
    const reply = await s.t.call<ActionList>('GET', '/v1/actions', { key: s.otherAgent });
    expect(reply.status).toBe(200);
    expect(reply.body.items).toEqual([]);
  });
});

describe('key scopes', () => {
  it('never lets an agent key hold reviews:write', async (test) => {
    const s = await seed(test);
    await expect(s.t.agentKey('sneaky-bot', 'alice@example.com', ['reviews:write'])).rejects.toThrow(
      /reviews:write/,
    );
  });
});
