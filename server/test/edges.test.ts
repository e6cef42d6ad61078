import { request } from 'node:http';
import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { detailPaths, expectError, type Reply, reviewPolicy, serverForTest, submit } from './harness';

const POLICY = reviewPolicy(['bob@example.com']);

describe('request size', () => {
  it('refuses a body over COUNTERSIGN_MAX_BODY_BYTES with 413 payload_too_large, and creates nothing', async (test) => {
    const t = await serverForTest(test, { policy: POLICY, env: { COUNTERSIGN_MAX_BODY_BYTES: '2048' } });
    const agent = await t.agentKey('big-bot', 'alice@example.com');
    const body = { action: 'deploy.run', params: { blob: 'x'.repeat(3000) } };
    expectError(await t.call('POST', '/v1/actions', { key: agent, body }), 413, 'payload_too_large');
    const list = await t.call<{ items: ActionRequest[] }>('GET', '/v1/actions', { key: agent });
    expect(list.body.items).toEqual([]);
  });

  it('refuses a chunked body (no content-length) over the limit with 413 too, and a declared length over it from the header', async (test) => {
    const t = await serverForTest(test, { policy: POLICY, env: { COUNTERSIGN_MAX_BODY_BYTES: '2048' } });
    const agent = await t.agentKey('big-bot', 'alice@example.com');
    const body = JSON.stringify({ action: 'deploy.run', params: { blob: 'x'.repeat(3000) } });
    const send = (headers: Record<string, string>, chunks: string[]) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(new URL('/v1/actions', t.url), { method: 'POST', headers }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    const headers = { authorization: `Bearer ${agent}`, 'content-type': 'application/json' };
    const chunked = await send(headers, [body.slice(0, 1000), body.slice(1000)]);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.text)).toMatchObject({ error: { code: 'payload_too_large' } });
    // A content-length over the limit is refused from the header alone.
    const declared = await send({ ...headers, 'content-length': String(body.length) }, [body]);
    expect(declared.status).toBe(413);
    const list = await t.call<{ items: ActionRequest[] }>('GET', '/v1/actions', { key: agent });
    expect(list.body.items).toEqual([]);
  });

  it('accepts a body just under the limit', async (test) => {
    const t = await serverForTest(test, { policy: POLICY, env: { COUNTERSIGN_MAX_BODY_BYTES: '2048' } });
    const agent = await t.agentKey('big-bot', 'alice@example.com');
    const body = { action: 'deploy.run', params: { blob: 'x'.repeat(1900) } };
    expect(JSON.stringify(body).length).toBeLessThan(2048);
    expect((await t.call('POST', '/v1/actions', { key: agent, body })).status).toBe(201);
  });
});

describe('unknown routes', () => {
  it('answers 404 not_found with the error body, outside and inside /v1', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('lost-bot', 'alice@example.com');
    expectError(await t.call('GET', '/nope'), 404, 'not_found');
    expectError(await t.call('GET', '/v1/nope', { key: agent }), 404, 'not_found');
    // A path that exists under other methods is a 405 (test/hardening/route-edges.test.ts), not a 404.
    expectError(await t.call('DELETE', '/v1/actions', { key: agent }), 405, 'method_not_allowed');
  });

  it('answers 404 not_found for an action id that does not exist', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('lost-bot', 'alice@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    expectError(await t.call('GET', '/v1/actions/unknown-id', { key: agent }), 404, 'not_found');
    // Even a key that sees everything finds nothing there.
    expectError(await t.call('GET', '/v1/actions/unknown-id', { key: auditor }), 404, 'not_found');
    expectError(
      await t.call('POST', `/v1/actions/act_${'0'.repeat(26)}/cancel`, { key: agent }),
      404,
      'not_found',
    );
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    expectError(
      await t.call('POST', '/v1/actions/unknown-id/reviews', { key: bob, body: { decision: 'approve' } }),
      404,
      'not_found',
    );
  });
});

describe('submission input', () => {
  it.for(['rm -rf /', 'aws.iam;DROP', 'a\nb', '<script>', 'ünïcode.action', ''])(
    'refuses the action name %j: 400 naming action',
    async (action, test) => {
      const t = await serverForTest(test, { policy: POLICY });
      const agent = await t.agentKey('odd-bot', 'alice@example.com');
      const error = expectError(
        await t.call('POST', '/v1/actions', { key: agent, body: { action } }),
        400,
        'invalid_request',
      );
      expect(detailPaths(error)).toEqual(['action']);
    },
  );

  it('refuses params and context that are not objects: 400 naming each', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('odd-bot', 'alice@example.com');
    for (const value of [[1, 2], 'text', 42, null, true]) {
      const reply = await t.call('POST', '/v1/actions', {
        key: agent,
        body: { action: 'deploy.run', params: value, context: value },
      });
      const error = expectError(reply, 400, 'invalid_request', JSON.stringify(value));
      expect(detailPaths(error)).toEqual(['context', 'params']);
    }
  });

  it('refuses a justification over 4000 characters: 400 naming justification', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('chatty-bot', 'alice@example.com');
    const body = { action: 'deploy.run', justification: 'because '.repeat(600) };
    const error = expectError(
      await t.call('POST', '/v1/actions', { key: agent, body }),
      400,
      'invalid_request',
    );
    expect(detailPaths(error)).toEqual(['justification']);
  });

  it('refuses a missing action, a non-http callback URL and an unknown source, naming each', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('odd-bot', 'alice@example.com');
    const body = { callbackUrl: 'javascript:alert(1)', source: 'telepathy' };
    const error = expectError(
      await t.call('POST', '/v1/actions', { key: agent, body }),
      400,
      'invalid_request',
    );
    expect(detailPaths(error)).toEqual(['action', 'callbackUrl', 'source']);
  });
});

describe('review input', () => {
  it('refuses a deny whose comment is only whitespace: 400 naming comment, and records nothing', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    const reply = await t.call('POST', `/v1/actions/${req.id}/reviews`, {
      key: bob,
      body: { decision: 'deny', comment: '   ' },
    });
    expect(detailPaths(expectError(reply, 400, 'invalid_request'))).toEqual(['comment']);
    const after = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent });
    expect(after.body.status).toBe('pending');
    expect(after.body.reviews).toEqual([]);
  });
});

describe('bad input never yields a 500', () => {
  /** Accepted, or refused as the contract says: either way never a server error. */
  function expectHandled(reply: Reply, accepted: number, what: string) {
    if (reply.status === accepted) return;
    expectError(reply, 400, 'invalid_request', what);
  }

  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  // Raw JSON text, because JSON.stringify could not write most of these.
  it.for<[string, string]>([
    ['a number too large for a double in params', '{"action":"deploy.run","params":{"n":1e400}}'],
    ['a number too large for a double in context', '{"action":"deploy.run","context":{"n":-1e400}}'],
    ['a lone surrogate in a params value', '{"action":"deploy.run","params":{"x":"\\ud800"}}'],
    ['a lone surrogate in a params key', '{"action":"deploy.run","params":{"\\udfff":1}}'],
    ['a lone surrogate in the justification', '{"action":"deploy.run","justification":"\\udc00"}'],
    ['a lone surrogate in the resource', '{"action":"deploy.run","resource":"bucket/\\ud800"}'],
    ['params nested 5000 deep', `{"action":"deploy.run","params":${nested(5000)}}`],
  ])('answers a submission with %s by 201 or 400', async ([what, rawBody], test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('fuzz-bot', 'alice@example.com');
    const reply = await t.call('POST', '/v1/actions', {
      key: agent,
      rawBody,
      headers: { 'content-type': 'application/json' },
    });
    expectHandled(reply, 201, what);
  });

  it('answers a review comment holding a lone surrogate by 200 or 400', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('fuzz-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    const reply = await t.call('POST', `/v1/actions/${req.id}/reviews`, {
      key: bob,
      rawBody: '{"decision":"deny","comment":"no \\ud800"}',
      headers: { 'content-type': 'application/json' },
    });
    expectHandled(reply, 200, 'comment');
  });

  it('keeps the audit action filter answering whole JSON after a submission with params nested 1001 deep', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('fuzz-bot', 'alice@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const reply = await t.call('POST', '/v1/actions', {
      key: agent,
      rawBody: `{"action":"deploy.run","params":${nested(1001)}}`,
      headers: { 'content-type': 'application/json' },
    });
    expectHandled(reply, 201, 'deep params');
    // The audit stream has sent its 200 before it reads a row: a failure shows only as a cut-off body.
    const res = await fetch(`${t.url}/v1/audit?action=deploy.run`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text), text.slice(0, 80)).not.toThrow();
    const events = (JSON.parse(text) as { events: unknown[] }).events;
    expect(events).toHaveLength(reply.status === 201 ? 1 : 0);
  });
});

describe('query input', () => {
  it('refuses an out-of-range wait, limit or an unknown status: 400 naming the parameter', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('odd-bot', 'alice@example.com');
    const req = await submit(t, agent, { action: 'deploy.run' });
    const cases: Array<[string, string]> = [
      [`/v1/actions/${req.id}?wait=61`, 'wait'],
      [`/v1/actions/${req.id}?wait=soon`, 'wait'],
      ['/v1/actions?limit=0', 'limit'],
      ['/v1/actions?limit=101', 'limit'],
      ['/v1/actions?status=maybe', 'status'],
    ];
    for (const [path, field] of cases) {
      const error = expectError(await t.call('GET', path, { key: agent }), 400, 'invalid_request', path);
      expect(detailPaths(error), path).toEqual([field]);
    }
  });
});

describe('probes and documents open to anyone', () => {
  it('answers /healthz and /readyz without a key, readiness naming the policy in force', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const health = await t.call<{ ok: boolean }>('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    const ready = await t.call<{ ok: boolean; policyVersion: string }>('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.ok).toBe(true);
    expect(ready.body.policyVersion).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it('serves /openapi.json documenting every /v1 route and the ActionRequest schema', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const reply = await t.call<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof reply.body).toBe('object');
    expect(reply.body.openapi).toMatch(/^3\./);
    const routes: Array<[string, string]> = [
      ['/v1/actions', 'post'],
      ['/v1/actions/{id}', 'get'],
      ['/v1/actions', 'get'],
      ['/v1/actions/{id}/reviews', 'post'],
      ['/v1/actions/{id}/cancel', 'post'],
      ['/v1/grants/redeem', 'post'],
      ['/v1/audit', 'get'],
      ['/v1/audit/verify', 'get'],
      ['/v1/admin/policy/reload', 'post'],
    ];
    for (const [path, method] of routes) {
      expect(reply.body.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    expect(reply.body.components.schemas.ActionRequest).toBeDefined();
  });

  it('documents /healthz and /readyz too, which the contract’s route table lists above /openapi.json', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const reply = await t.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    // The contract: "GET /openapi.json | anyone | the OpenAPI document of all of the above".
    expect(reply.body.paths['/healthz']?.get, '/healthz').toBeDefined();
    expect(reply.body.paths['/readyz']?.get, '/readyz').toBeDefined();
  });
});
