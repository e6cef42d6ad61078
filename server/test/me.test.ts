import { describe, expect, it } from 'vitest';
import { expectError, keyIdOf, reviewPolicy, serverForTest, submit } from './harness';

type Me = Record<string, unknown> & { id: string };

describe('GET /v1/me', () => {
  it('names a user key’s person, key and scopes, with the id its requests carry as requester.id', async (test) => {
    const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
    const key = await t.userKey('carol@example.com', ['actions:write', 'reviews:write']);
    const reply = await t.call<Me>('GET', '/v1/me', { key });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toEqual({
      kind: 'person',
      id: 'user:carol@example.com',
      email: 'carol@example.com',
      keyId: keyIdOf(key),
      scopes: ['actions:write', 'reviews:write'],
    });
    const request = await submit(t, key, { action: 'deploy.run' });
    expect(request.requester.id).toBe(reply.body.id);
  });

  it('names an agent key’s agent, its owner, key and scopes, with the id its requests carry', async (test) => {
    const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
    const key = await t.agentKey('billing-bot', 'alice@example.com');
    const reply = await t.call<Me>('GET', '/v1/me', { key });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toEqual({
      kind: 'agent',
      id: 'agent:billing-bot',
      name: 'billing-bot',
      owner: 'alice@example.com',
      keyId: keyIdOf(key),
      scopes: ['actions:write'],
    });
    const request = await submit(t, key, { action: 'deploy.run' });
    expect(request.requester).toEqual({ id: reply.body.id, owner: 'alice@example.com' });
  });

  it('refuses a call without a key, or with an unknown one: 401 unauthenticated', async (test) => {
    const t = await serverForTest(test);
    expectError(await t.call('GET', '/v1/me'), 401, 'unauthenticated');
    const unknown = `csk_${'0'.repeat(26)}_${'A'.repeat(43)}`;
    expectError(await t.call('GET', '/v1/me', { key: unknown }), 401, 'unauthenticated', 'unknown key');
  });

  it('is in the OpenAPI document, with its answer as the schema Me', async (test) => {
    const t = await serverForTest(test);
    const reply = await t.call<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/openapi.json');
    expect(reply.body.paths['/v1/me']?.get).toBeDefined();
    expect(reply.body.components.schemas.Me).toBeDefined();
  });
});
