import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { ERROR_STATUS } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/http/app';
import { createMetrics } from '../../server/src/metrics/metrics';
import { expectError, serverForTest, type TestServer } from '../../server/test/harness';

type OpenApi = { paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>> };

/** Every operation of the served OpenAPI document, as `METHOD /path/{param}`. */
async function operations(t: TestServer): Promise<{ method: string; path: string; bodyRequired: boolean }[]> {
  const doc = await t.call<OpenApi>('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  return Object.entries(doc.body.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      bodyRequired: op.requestBody?.required === true,
    })),
  );
}

const concrete = (path: string) => path.replaceAll(/\{[^}]+\}/g, 'act_01JZZZZZZZZZZZZZZZZZZZZZZZ');

// The trial found unknown fields and parameters taken silently on cancel, revoke, reload, /v1/me and
// the standing list, where the docs promise a 400. This walks every /v1 operation the OpenAPI
// document lists, so a route added later without a strict schema fails here.
describe.concurrent('every /v1 route refuses what it does not take', () => {
  it('an unknown query parameter: 400 invalid_request naming it, on every route', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', [
      'admin',
      'audit:read',
      'reviews:write',
      'actions:write',
    ]);
    const ops = (await operations(t)).filter((op) => op.path.startsWith('/v1/'));
    expect(ops.length).toBeGreaterThan(15);
    for (const op of ops) {
      const what = `${op.method} ${op.path}`;
      const reply = await t.call(op.method, `${concrete(op.path)}?zz_unknown=1`, {
        key: admin,
        ...(op.bodyRequired && { body: {} }),
      });
      const error = expectError(reply, 400, 'invalid_request', what);
      expect(
        error.details?.filter((d) => d.path === 'zz_unknown').map((d) => d.message),
        what,
      ).toEqual(['unknown field']);
    }
    // The trial's own case: a paging parameter on a list that has no paging.
    const standing = await t.call('GET', '/v1/standing-approvals?limit=abc', { key: admin });
    expect(expectError(standing, 400, 'invalid_request').details?.map((d) => d.path)).toEqual(['limit']);
  });

  it('an unknown body field: 400 invalid_request naming it, on every route that is not GET', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', [
      'admin',
      'audit:read',
      'reviews:write',
      'actions:write',
    ]);
    const ops = (await operations(t)).filter((op) => op.path.startsWith('/v1/') && op.method !== 'GET');
    expect(ops.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/actions/{id}/cancel',
        'POST /v1/standing-approvals/{id}/revoke',
        'POST /v1/admin/policy/reload',
        'DELETE /v1/keys/{id}',
      ]),
    );
    for (const op of ops) {
      const what = `${op.method} ${op.path}`;
      const reply = await t.call(op.method, concrete(op.path), { key: admin, body: { zz_unknown: true } });
      const error = expectError(reply, 400, 'invalid_request', what);
      expect(
        error.details?.filter((d) => d.path === 'zz_unknown').map((d) => d.message),
        what,
      ).toEqual(['unknown field']);
    }
  });

  it('a route without a body still takes none, or an empty JSON object, or content-type json with no body', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', ['admin']);
    for (const o of [{}, { body: {} }, { headers: { 'content-type': 'application/json' } }]) {
      const reply = await t.call('POST', '/v1/admin/policy/reload', { key: admin, ...o });
      expect(reply.status, JSON.stringify(o)).toBe(200);
    }
    const agent = await t.agentKey('deployer', 'erin@example.com');
    expect((await t.call('GET', '/v1/me', { key: agent })).status).toBe(200);
    expectError(await t.call('GET', '/v1/me?x=1', { key: agent }), 400, 'invalid_request');
  });

  it('the OpenAPI document lists exactly the routes the app serves (bar the console, SCIM and chat)', async (test) => {
    const t = await serverForTest(test);
    const core = t.server.core;
    const app = createApp(core, {
      maxBodyBytes: 1_000_000,
      submitsPerSecond: 10,
      metrics: createMetrics(core),
    });
    // SCIM has its own schemas (/scim/v2/Schemas); the document itself is not an operation.
    const served = app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/scim/'))
      .filter((r) => r.path !== '/openapi.json')
      .map((r) => `${r.method} ${r.path.replaceAll(/:(\w+)/g, '{$1}')}`);
    const documented = (await operations(t)).map((op) => `${op.method} ${op.path}`);
    expect(served).toContain('GET /metrics');
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('docs/api.md names every route of the OpenAPI document and every error code', async (test) => {
    const t = await serverForTest(test);
    const doc = await readFile(join(import.meta.dirname, '../../docs/api.md'), 'utf8');
    const missing = (await operations(t))
      .map((op) => `${op.method} ${op.path.replaceAll(/\{(\w+)\}/g, ':$1')}`)
      .filter((route) => !new RegExp(`\`${route.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\`?]`).test(doc));
    expect(missing).toEqual([]);
    expect(Object.keys(ERROR_STATUS).filter((code) => !doc.includes(`\`${code}\``))).toEqual([]);
  });
});

describe.concurrent('answers at the edge are the contract’s error body', () => {
  it('an empty body where one is required: 400 saying so, with details', async (test) => {
    const t = await serverForTest(test);
    const agent = await t.agentKey('deployer', 'erin@example.com');
    const reply = await t.call('POST', '/v1/actions', {
      key: agent,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    const error = expectError(reply, 400, 'invalid_request');
    expect(error.message).toBe('The request body is empty; send a JSON object.');
    expect(error.details?.map((d) => d.path)).toEqual(['(body)']);
  });

  it('a known path with the wrong method: 405 with Allow and the contract body', async (test) => {
    const t = await serverForTest(test);
    const agent = await t.agentKey('deployer', 'erin@example.com');
    const reply = await t.call('PUT', '/v1/actions', { key: agent, body: {} });
    const error = expectError(reply, 405, 'method_not_allowed');
    expect(reply.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(error.details).toEqual([{ path: 'method', message: 'allowed: GET, HEAD, POST' }]);
    const one = await t.call('DELETE', '/v1/actions/act_01JZZZZZZZZZZZZZZZZZZZZZZZ', { key: agent });
    expectError(one, 405, 'method_not_allowed');
    expect(one.headers.get('allow')).toBe('GET, HEAD');
    // A path nobody serves is still a 404.
    expectError(await t.call('PUT', '/v1/nothing-here', { key: agent }), 404, 'not_found');
  });

  it('a 20 KB Authorization header: 431 with the contract body, the 16 KB bound kept', async (test) => {
    const t = await serverForTest(test);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${t.url}/v1/me`, { headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expectError({ status, body: JSON.parse(body), headers: new Headers() }, 431, 'headers_too_large');
    // Under the bound, the same header reaches the API (and is refused there as an unknown key).
    const under = await t.call('GET', '/v1/me', { key: 'a'.repeat(10_000) });
    expectError(under, 401, 'unauthenticated');
  });
});
