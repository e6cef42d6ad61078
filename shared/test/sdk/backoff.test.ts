import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/sdk/backoff';
import { backoffDelay, DEFAULT_RETRY } from '../../src/sdk/index';

describe('backoffDelay', () => {
  const policy = { ...DEFAULT_RETRY, initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles from the first pause up to the cap, with jitter in the upper half', () => {
    const low = [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0));
    const high = [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 1));
    expect(high).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(low).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('stays finite for absurd attempt numbers', () => {
    expect(backoffDelay(policy, 10_000, () => 1)).toBe(1_000);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
