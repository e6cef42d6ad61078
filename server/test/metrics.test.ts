import { afterEach, describe, expect, it } from 'vitest';
import { expectError, review, startTestServer, submit, type TestServer } from './harness';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('GET /metrics', () => {
  it('serves Prometheus text to admin keys on the API port, and to anyone on COUNTERSIGN_METRICS_PORT', async () => {
    t = await startTestServer({ env: { COUNTERSIGN_METRICS_PORT: '0' } });
    const agent = await t.agentKey('deployer', 'erin@example.com');
    const alice = await t.userKey('alice@example.com', ['reviews:write']);
    const admin = await t.userKey('root@example.com', ['admin']);
    const scrape = async () => {
      const reply = await t?.call<string>('GET', '/metrics', { key: admin });
      expect(reply?.status).toBe(200);
      return String(reply?.body);
    };
    await scrape(); // the decision cursor starts here
    const first = await submit(t, agent, { action: 'deploy.web' });
    await submit(t, agent, { action: 'deploy.api' });
    expect((await review(t, alice, first.id, 'approve')).status).toBe(200);

    const text = await scrape();
    expect(text).toMatch(/^countersign_requests\{status="pending"\} 1$/m);
    expect(text).toMatch(/^countersign_requests\{status="approved"\} 1$/m);
    expect(text).toMatch(/^countersign_decisions_total\{outcome="approved"\} 1$/m);
    expect(text).toMatch(/^countersign_decision_latency_seconds_count\{outcome="approved"\} 1$/m);
    expect(text).toMatch(/^countersign_long_poll_waiters 0$/m);
    expect(text).toMatch(/^countersign_ready 1$/m);
    expect(text).toMatch(/^countersign_outbox_lag_seconds\{sink="webhook"\} 0$/m);
    expect(text).toMatch(/^countersign_audit_events [1-9]\d*$/m);
    expect(text).toMatch(/^countersign_http_requests_total\{method="POST",status="201"\} 2$/m);

    expectError(await t.call('GET', '/metrics'), 401, 'unauthenticated');
    expectError(await t.call('GET', '/metrics', { key: agent }), 403, 'forbidden');

    const port = t.server.metricsPort;
    expect(port).toBeGreaterThan(0);
    const open = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(open.status).toBe(200);
    expect(await open.text()).toContain('countersign_requests{status="pending"} 1');
    expect((await fetch(`http://127.0.0.1:${port}/v1/actions`)).status).toBe(404);
  });

  it('counts a long-poll while it waits', async () => {
    t = await startTestServer();
    const agent = await t.agentKey('deployer', 'erin@example.com');
    const admin = await t.userKey('root@example.com', ['admin']);
    const request = await submit(t, agent, { action: 'deploy.web' });
    const waiting = t.call('GET', `/v1/actions/${request.id}?wait=2`, { key: agent });
    await new Promise((r) => setTimeout(r, 300));
    const text = String((await t.call('GET', '/metrics', { key: admin })).body);
    expect(text).toMatch(/^countersign_long_poll_waiters 1$/m);
    await waiting;
  });
});
