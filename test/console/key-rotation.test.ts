import { describe, expect, it } from 'vitest';
import { auditEvents, expectError, keyIdOf, serverForTest } from '../../server/test/harness';
import { lastLine, runCli, tempDir } from '../e2e/processes';

type Rotated = {
  id: string;
  key: string;
  principal: string;
  scopes: string[];
  expiresAt: string | null;
  replaced: { id: string; revokedAt: string | null; expiresAt: string | null };
};

describe('POST /v1/keys/:id/rotate: a key replaced in one operation', () => {
  it('answers a new key once for the same principal and scopes; the old one is refused at once; audited', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', ['admin', 'audit:read']);
    const old = await t.agentKey('deployer', 'carol@example.com');
    const oldId = keyIdOf(old);
    const rotated = await t.call<Rotated>('POST', `/v1/keys/${oldId}/rotate`, { key: admin });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({
      principal: 'agent:deployer',
      scopes: ['actions:write'],
      expiresAt: null,
      replaced: { id: oldId, expiresAt: null },
    });
    expect(rotated.body.replaced.revokedAt).not.toBeNull();
    expect(keyIdOf(rotated.body.key)).toBe(rotated.body.id);
    expect((await t.call('GET', '/v1/me', { key: rotated.body.key })).status).toBe(200);
    expectError(await t.call('GET', '/v1/me', { key: old }), 401, 'unauthenticated');
    // The secret is in that answer alone: not in the list, not in the audit log.
    const list = await t.call('GET', '/v1/keys', { key: admin });
    expect(JSON.stringify(list.body)).not.toContain(rotated.body.key);
    const events = await auditEvents(t, admin);
    const rotation = events.find((e) => e.type === 'key.rotated');
    expect(rotation).toMatchObject({
      actor: 'user:root@example.com',
      subject: oldId,
      data: { keyId: oldId, newKeyId: rotated.body.id, principal: 'agent:deployer', graceMinutes: 0 },
    });
    expect(events.some((e) => e.type === 'key.created' && e.subject === rotated.body.id)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(rotated.body.key);
    // A rotated (revoked) key is not rotated again: that would mint access that already ended.
    const again = await t.call('POST', `/v1/keys/${oldId}/rotate`, { key: admin, body: {} });
    expect(expectError(again, 400, 'invalid_request').details?.[0]?.path).toBe('id');
  });

  it('a grace period keeps the old key working until it ends; the new key gets its own expiry', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', ['admin']);
    const old = await t.userKey('dana@example.com', ['reviews:write', 'audit:read']);
    const oldId = keyIdOf(old);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const before = Date.now();
    const rotated = await t.call<Rotated>('POST', `/v1/keys/${oldId}/rotate`, {
      key: admin,
      body: { graceMinutes: 30, expiresAt },
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.scopes).toEqual(['reviews:write', 'audit:read']);
    expect(rotated.body.expiresAt).toBe(expiresAt);
    expect(rotated.body.replaced.revokedAt).toBeNull();
    const graceEnds = Date.parse(rotated.body.replaced.expiresAt ?? '');
    expect(graceEnds).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(graceEnds).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    expect((await t.call('GET', '/v1/me', { key: old })).status).toBe(200);
    expect((await t.call('GET', '/v1/me', { key: rotated.body.key })).status).toBe(200);
    // When the grace ends, the old key is refused and the new one goes on.
    await t
      .rawDb()
      .execute({ sql: 'UPDATE api_keys SET expires_at = ? WHERE id = ?', args: [Date.now() - 1, oldId] });
    expectError(await t.call('GET', '/v1/me', { key: old }), 401, 'unauthenticated');
    expect((await t.call('GET', '/v1/me', { key: rotated.body.key })).status).toBe(200);
  });

  it('refuses a non-admin, an unknown key, a past expiry and a malformed body, changing nothing', async (test) => {
    const t = await serverForTest(test);
    const admin = await t.userKey('root@example.com', ['admin']);
    const reviewer = await t.userKey('bob@example.com', ['reviews:write']);
    const target = keyIdOf(reviewer);
    expectError(
      await t.call('POST', `/v1/keys/${target}/rotate`, { key: reviewer, body: {} }),
      403,
      'forbidden',
    );
    expectError(await t.call('POST', '/v1/keys/key_nope/rotate', { key: admin, body: {} }), 404, 'not_found');
    const past = await t.call('POST', `/v1/keys/${target}/rotate`, {
      key: admin,
      body: { expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(expectError(past, 400, 'invalid_request').details?.[0]?.path).toBe('expiresAt');
    for (const body of [
      { graceMinutes: -1 },
      { graceMinutes: 1.5 },
      { graceMinutes: 99_999 },
      { grace: 5 },
    ]) {
      expectError(
        await t.call('POST', `/v1/keys/${target}/rotate`, { key: admin, body }),
        400,
        'invalid_request',
      );
    }
    expectError(await t.call('POST', `/v1/keys/${target}/rotate`, { body: {} }), 401, 'unauthenticated');
    // Nothing above touched the key it named.
    expect((await t.call('GET', '/v1/me', { key: reviewer })).status).toBe(200);
    const keys = await t.call<{ keys: { principal: string }[] }>('GET', '/v1/keys', { key: admin });
    expect(keys.body.keys.filter((k) => k.principal === 'user:bob@example.com')).toHaveLength(1);
  });

  it('is in the OpenAPI document with its body and answer', async (test) => {
    const t = await serverForTest(test);
    const doc = await t.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    expect(doc.body.paths['/v1/keys/{id}/rotate']?.post).toBeDefined();
    expect(JSON.stringify(doc.body)).toContain('RotateKeyRequest');
  });

  it('countersign keys rotate ID: the new key on the last line, the old one revoked or given its grace', async (test) => {
    const dir = await tempDir();
    test.onTestFinished(() => dir.remove());
    const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db` };
    expect((await runCli(['init'], env)).code).toBe(0);
    const made = await runCli(['keys', 'create', '--agent', 'bot', '--owner', 'a@example.com'], env);
    const oldId = keyIdOf(lastLine(made.stdout));
    const rotated = await runCli(['keys', 'rotate', oldId, '--grace', '15'], env);
    expect(rotated.code).toBe(0);
    const token = lastLine(rotated.stdout);
    expect(rotated.stdout).toMatch(new RegExp(`Rotated ${oldId} \\(agent:bot\\): the old key works until `));
    expect(rotated.stdout).toContain(`the new key is ${keyIdOf(token)}`);
    const again = await runCli(['keys', 'rotate', keyIdOf(token)], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/the old key revoked at /);
    const listed = JSON.parse((await runCli(['keys', 'list', '--json'], env)).stdout) as {
      id: string;
      revokedAt: string | null;
      expiresAt: string | null;
    }[];
    expect(listed.filter((k) => k.revokedAt === null && k.expiresAt === null)).toHaveLength(1);
    const bad = await runCli(['keys', 'rotate', oldId, '--grace', 'soon'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--grace: "soon" is not a whole number of minutes/);
    const gone = await runCli(['keys', 'rotate', 'key_nope'], env);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/key key_nope not found/);
  });
});
