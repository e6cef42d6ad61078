import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { detailPaths, expectError, reviewPolicy, serverForTest, submit } from './harness';

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
    expectError(await t.call('DELETE', '/v1/actions', { key: agent }), 404, 'not_found');
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
});
