import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '../src/env';
import type { AppEnv } from '../src/http/env';
import { rateLimit } from '../src/http/rate-limit';
import { issuePairingCode } from '../src/services/pairing/pairing-codes';
import { auditEvents, expectError, serverForTest, type TestServer } from './harness';

const pair = (t: TestServer, code: string, forwardedFor?: string) =>
  t.call('POST', '/v1/extension/pair', {
    body: { code },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

/** A real pairing code, as `/approvals connect` in Slack issues it to kim. */
const codeFor = async (t: TestServer, email: string) => {
  const actor = { kind: 'person', via: 'slack', id: `user:${email}`, email, slackUserId: 'U0KIM' } as const;
  return (await issuePairingCode({ ctx: { core: t.server.core, actor } })).code;
};

describe('a failed pairing attempt', () => {
  it('is audited with its reason, the client address and a short hash prefix, never the code', async (test) => {
    const t = await serverForTest(test);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    expectError(await pair(t, 'ZZZZZ-ZZZZZ'), 403, 'forbidden');
    const code = await codeFor(t, 'kim@example.com');
    expect((await pair(t, code)).status).toBe(200);
    expectError(await pair(t, code), 403, 'forbidden', 'the same code again');

    const failed = await auditEvents(t, auditor, 'type=pairing.failed');
    expect(failed.map((e) => [e.data.reason, e.subject, e.data.address])).toEqual([
      ['unknown', null, '127.0.0.1'],
      ['used', 'user:kim@example.com', '127.0.0.1'],
    ]);
    for (const event of failed) expect(event.data.codeHashPrefix).toMatch(/^[0-9a-f]{6}$/);
    const everything = JSON.stringify(await auditEvents(t, auditor));
    for (const secret of ['ZZZZZ', code, code.replace('-', '')]) expect(everything).not.toContain(secret);
  });
});

describe('the pairing limiter behind a reverse proxy', () => {
  const exhaust = async (t: TestServer, forwardedFor: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await pair(t, 'ZZZZZ-ZZZZZ', forwardedFor)).status);
    return statuses;
  };

  it('keys on the client the trusted proxy names, so one user behind it does not lock out the rest', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_TRUST_PROXY: 'loopback' } });
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    expect(await exhaust(t, '203.0.113.1')).toContain(429);
    expectError(await pair(t, 'ZZZZZ-ZZZZZ', '203.0.113.2'), 403, 'forbidden', 'another client, same proxy');
    const addresses = (await auditEvents(t, auditor, 'type=pairing.failed')).map((e) => e.data.address);
    expect(new Set(addresses)).toEqual(new Set(['203.0.113.1', '203.0.113.2']));
  });

  it('believes only as many hops as it is told: a client cannot prepend its own X-Forwarded-For', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_TRUST_PROXY: '1' } });
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    expect((await pair(t, 'ZZZZZ-ZZZZZ', '198.51.100.7, 203.0.113.1')).status).toBe(403);
    const [event] = await auditEvents(t, auditor, 'type=pairing.failed');
    expect(event?.data.address).toBe('203.0.113.1');
  });

  it('ignores X-Forwarded-For when no proxy is trusted (the default)', async (test) => {
    const t = await serverForTest(test);
    expect(await exhaust(t, '203.0.113.1')).toContain(429);
    expectError(await pair(t, 'ZZZZZ-ZZZZZ', '203.0.113.2'), 429, 'rate_limited', 'a forged header');
  });
});

describe('COUNTERSIGN_TRUST_PROXY', () => {
  const parse = (value: string) => parseEnv({ COUNTERSIGN_TRUST_PROXY: value }).COUNTERSIGN_TRUST_PROXY;
  const refusal = (value: string): string[] => {
    try {
      parse(value);
    } catch (error) {
      if (error instanceof EnvError) return error.lines;
      throw error;
    }
    return [];
  };

  it('is off unless set, and takes a hop count or a list of addresses and CIDRs', () => {
    expect(parseEnv({}).COUNTERSIGN_TRUST_PROXY).toBeUndefined();
    expect(parse('off')).toBeUndefined();
    expect(parse('0')).toBeUndefined();
    expect(parse('2')).toEqual({ hops: 2 });
    expect(parse('10.0.0.0/8, 127.0.0.1,loopback, fd00::/8')).toEqual({
      addresses: ['10.0.0.0/8', '127.0.0.1', 'loopback', 'fd00::/8'],
    });
  });

  it('refuses anything else with one line naming the variable', () => {
    for (const value of ['banana', '10.0.0.0/99', 'true', '*', '1000']) {
      const lines = refusal(value);
      expect(lines, value).toHaveLength(1);
      expect(lines[0], value).toMatch(/^COUNTERSIGN_TRUST_PROXY: /);
    }
  });
});

describe('the per-address limiter', () => {
  it('keeps at most its cap of buckets, forgetting the coldest first', async (test) => {
    const app = new Hono<AppEnv>();
    const limiter = rateLimit(1, 1, (c) => c.req.header('x-client') ?? '', 2);
    app.use('*', limiter);
    app.get('/', (c) => c.text('ok'));
    const server = createServer(getRequestListener(app.fetch));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    test.onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const hit = async (client: string) =>
      (await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-client': client } })).status;

    expect([await hit('a'), await hit('a')]).toEqual([200, 429]);
    expect([await hit('b'), await hit('c')]).toEqual([200, 200]);
    expect(limiter.size()).toBe(2);
    // 'a' was the coldest and was forgotten; 'c' is still remembered and still limited.
    expect([await hit('a'), await hit('c')]).toEqual([200, 429]);
    for (let i = 0; i < 50; i++) await hit(`flood-${i}`);
    expect(limiter.size()).toBe(2);
  });
});
