import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { detailPaths, expectError, POLICY, serverForTest } from './harness';

// POLICY holds `db.export` on `customers/**` for two data owners; everything else falls to the default.

describe('resource spellings', () => {
  it.for([
    'customers/../customers/eu',
    '/customers/eu',
    'customers/./eu',
    'customers//eu',
    'customers/eu/',
    'customers/eu\u0000',
    'customers/\u001beu',
    'customers/eu\u0085',
  ])('refuses %j with 400 naming resource, before the policy sees it', async (resource, test) => {
    const t = await serverForTest(test);
    const agent = await t.agentKey('export-bot', 'erin@example.com');
    const reply = await t.call('POST', '/v1/actions', {
      key: agent,
      body: { action: 'db.export', resource },
    });
    expect(detailPaths(expectError(reply, 400, 'invalid_request'))).toEqual(['resource']);
    const list = await t.call<{ items: ActionRequest[] }>('GET', '/v1/actions', { key: agent });
    expect(list.body.items).toEqual([]);
  });

  it('takes the one spelling, which the customers/** rule holds', async (test) => {
    const t = await serverForTest(test);
    const agent = await t.agentKey('export-bot', 'erin@example.com');
    const reply = await t.call<ActionRequest>('POST', '/v1/actions', {
      key: agent,
      body: { action: 'db.export', resource: 'customers/eu' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.rule.name).toBe('customer-export');
  });
});

describe('declared environments', () => {
  const policy = POLICY.replace('version: 1', 'version: 1\nenvironments: [prod, staging, dev]');

  it('refuses an undeclared environment with 400 listing the allowed ones', async (test) => {
    const t = await serverForTest(test, { policy });
    const agent = await t.agentKey('ops-bot', 'erin@example.com');
    for (const environment of ['production', 'prdo', 'prod-eu']) {
      const reply = await t.call('POST', '/v1/actions', {
        key: agent,
        body: { action: 'db.drop', environment },
      });
      const error = expectError(reply, 400, 'invalid_request', environment);
      expect(detailPaths(error)).toEqual(['environment']);
      expect(error.message).toContain('prod, staging, dev');
    }
  });

  it('accepts a declared environment (in any case, as rules match it) and none at all', async (test) => {
    const t = await serverForTest(test, { policy });
    const agent = await t.agentKey('ops-bot', 'erin@example.com');
    const blocked = await t.call<ActionRequest>('POST', '/v1/actions', {
      key: agent,
      body: { action: 'db.drop', environment: 'PROD' },
    });
    expect([blocked.status, blocked.body.rule.name]).toEqual([201, 'no-prod-drops']);
    const plain = await t.call('POST', '/v1/actions', { key: agent, body: { action: 'deploy.run' } });
    expect(plain.status).toBe(201);
  });

  it('accepts any environment when the policy declares none', async (test) => {
    const t = await serverForTest(test);
    const agent = await t.agentKey('ops-bot', 'erin@example.com');
    const reply = await t.call('POST', '/v1/actions', {
      key: agent,
      body: { action: 'deploy.run', environment: 'production' },
    });
    expect(reply.status).toBe(201);
  });
});

describe('callbackUrl with userinfo', () => {
  it.for([
    'https://user:pass@hooks.example.com/x',
    'https://user@hooks.example.com/x',
    'https://:pw@hooks.example.com/x',
  ])('refuses %s with 400 naming callbackUrl, at submission', async (callbackUrl, test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_WEBHOOK_HOSTS: 'hooks.example.com' } });
    const agent = await t.agentKey('hook-bot', 'erin@example.com');
    const reply = await t.call('POST', '/v1/actions', {
      key: agent,
      body: { action: 'deploy.run', callbackUrl },
    });
    expect(detailPaths(expectError(reply, 400, 'invalid_request'))).toEqual(['callbackUrl']);
  });

  it('takes the same URL without it', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_WEBHOOK_HOSTS: 'hooks.example.com' } });
    const agent = await t.agentKey('hook-bot', 'erin@example.com');
    const body = { action: 'deploy.run', callbackUrl: 'https://hooks.example.com/x' };
    expect((await t.call('POST', '/v1/actions', { key: agent, body })).status).toBe(201);
  });
});

describe('the OpenAPI document', () => {
  it('states the resource spelling, declared environments, no userinfo and strict JSON bodies', async (test) => {
    const t = await serverForTest(test);
    const doc = await t.call<{
      info: { description: string };
      components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
    }>('GET', '/openapi.json');
    const submit = doc.body.components.schemas.SubmitAction?.properties ?? {};
    expect(submit.resource?.description).toContain('no empty, "." or ".." segment');
    expect(submit.environment?.description).toContain('environments');
    expect(submit.callbackUrl?.description).toContain('user:pass@');
    expect(doc.body.info.description).toContain('no key twice');
    expect(doc.body.info.description).toContain('send them as strings');
  });
});
