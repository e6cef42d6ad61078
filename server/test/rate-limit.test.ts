import { ErrorBody } from '@countersign/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ env: { COUNTERSIGN_RATE_LIMIT: '2' } });
});
afterEach(async () => {
  await t.stop();
});

describe('submission rate limit', () => {
  it('answers 429 rate_limited with Retry-After once a key exceeds its burst, and spares other keys', async () => {
    const busy = await t.agentKey('looping-bot', 'alice@example.com');
    const calm = await t.agentKey('calm-bot', 'alice@example.com');
    const body = { action: 'aws.s3.getObject' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await t.call('POST', '/v1/actions', { key: busy, body })).status);
    expect(statuses.slice(0, 4)).toEqual([201, 201, 201, 201]); // burst = 2 × the per-second rate
    const limited = await t.call('POST', '/v1/actions', { key: busy, body });
    expect(limited.status).toBe(429);
    expect(ErrorBody.parse(limited.body).error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await t.call('POST', '/v1/actions', { key: calm, body })).status).toBe(201);
    expect((await t.call('GET', '/v1/actions', { key: busy })).status).toBe(200);
  });
});
