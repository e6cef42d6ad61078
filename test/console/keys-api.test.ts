import { describe, expect, it } from 'vitest';
import { expectError, keyIdOf, serverForTest } from '../../server/test/harness';

describe('/v1/keys: admins manage keys over HTTP', () => {
  it('makes a user key with an expiry, lists it without its secret, revokes it', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', ['admin']);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const made = await t.call<{ id: string; key: string; expiresAt: string; scopes: string[] }>(
      'POST',
      '/v1/keys',
      {
        key: admin,
        body: { user: 'Dana@Example.com', scopes: ['audit:read'], expiresAt },
      },
    );
    expect(made.status).toBe(201);
    expect(made.body.expiresAt).toBe(expiresAt);
    expect((await t.call('GET', '/v1/audit', { key: made.body.key })).status).toBe(200);
    const list = await t.call<{ keys: { id: string; principal: string; expiresAt: string | null }[] }>(
      'GET',
      '/v1/keys',
      {
        key: admin,
      },
    );
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);
    expect(list.body.keys.find((k) => k.id === made.body.id)).toMatchObject({
      principal: 'user:dana@example.com',
      expiresAt,
    });
    const revoked = await t.call<{ alreadyRevoked: boolean }>('DELETE', `/v1/keys/${made.body.id}`, {
      key: admin,
    });
    expect(revoked.body.alreadyRevoked).toBe(false);
    expectError(await t.call('GET', '/v1/audit', { key: made.body.key }), 401, 'unauthenticated');
    expectError(await t.call('DELETE', '/v1/keys/key_nope', { key: admin }), 404, 'not_found');
  });

  it('makes an agent key with its owner; a key past its expiry authenticates no one', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', ['admin']);
    const made = await t.call<{ key: string; principal: string }>('POST', '/v1/keys', {
      key: admin,
      body: {
        agent: 'deployer',
        owner: 'carol@example.com',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      },
    });
    expect(made.body.principal).toBe('agent:deployer');
    expect((await t.call('GET', '/v1/me', { key: made.body.key })).status).toBe(200);
    await t.rawDb().execute({
      sql: 'UPDATE api_keys SET expires_at = ? WHERE id = ?',
      args: [Date.now() - 1, keyIdOf(made.body.key)],
    });
    expectError(await t.call('GET', '/v1/me', { key: made.body.key }), 401, 'unauthenticated');
  });

  it('refuses a past expiry, a non-admin, and a malformed body', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', ['admin']);
    const past = await t.call('POST', '/v1/keys', {
      key: admin,
      body: { user: 'dana@example.com', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(expectError(past, 400, 'invalid_request').details?.[0]?.path).toBe('expiresAt');
    const reviewer = await t.userKey('bob@example.com', ['reviews:write']);
    expectError(
      await t.call('POST', '/v1/keys', { key: reviewer, body: { user: 'x@example.com' } }),
      403,
      'forbidden',
    );
    expectError(await t.call('GET', '/v1/keys', { key: reviewer }), 403, 'forbidden');
    expectError(
      await t.call('POST', '/v1/keys', {
        key: admin,
        body: { user: 'x@example.com', owner: 'y@example.com' },
      }),
      400,
      'invalid_request',
    );
    expectError(
      await t.call('POST', '/v1/keys', {
        key: admin,
        body: { agent: 'a', owner: 'o@example.com', expiresAt: 'tomorrow' },
      }),
      400,
      'invalid_request',
    );
  });

  it('is documented in the OpenAPI document', async (test) => {
    const t = await serverForTest(test);
    const doc = await t.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths['/v1/keys'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.body.paths['/v1/keys/{id}'] ?? {})).toEqual(['delete']);
  });
});
