import { KickLoop } from '@countersign/shared';
import { describe, expect, it } from 'vitest';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A pass that fails leaves its work due (a delivery the full disk would not let it claim). KickLoop
 * used to come straight back 10 ms later: a hundred failed passes, and log lines, a second.
 */
describe('KickLoop after a failed pass', () => {
  it('waits a second before the next, though its work is due at once; a pass that works clears the pause', async () => {
    let passes = 0;
    let failing = true;
    const seen: string[] = [];
    const loop = new KickLoop({
      pass: async () => {
        passes += 1;
        if (failing) throw new Error('SQLITE_FULL');
      },
      nextDueAt: async () => Date.now() - 1_000, // always overdue
      onError: () => seen.push('failed'),
      onPassed: () => seen.push('passed'),
    });
    loop.kick();
    await sleep(600);
    expect(passes).toBe(1);
    expect(seen).toEqual(['failed']);
    await sleep(700); // the retry, a second after the failure
    expect(passes).toBe(2);
    failing = false;
    await sleep(1_100);
    expect(seen.slice(0, 3)).toEqual(['failed', 'failed', 'passed']);
    const afterRecovery = passes;
    await sleep(100); // working again, due work is taken at once
    expect(passes).toBeGreaterThan(afterRecovery + 2);
    await loop.stop();
  });

  it('keeps its timer when asking what is due fails, and is stopped with it', async () => {
    let passes = 0;
    let asks = 0;
    const loop = new KickLoop({
      pass: async () => {
        passes += 1;
      },
      nextDueAt: async () => {
        asks += 1;
        if (asks === 1) throw new Error('SQLITE_IOERR');
        return undefined;
      },
      onError: () => {},
      idleMs: 50,
    });
    loop.kick();
    // Before: the failed question left no timer, and the loop waited for a kick that never came.
    await sleep(1_400);
    expect(passes).toBeGreaterThanOrEqual(2);
    await loop.stop();
    const stoppedAt = passes;
    await sleep(150);
    expect(passes).toBe(stoppedAt);
  });
});
