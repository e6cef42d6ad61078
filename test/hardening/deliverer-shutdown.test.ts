import { KickLoop } from '@countersign/shared';
import { describe, expect, it } from 'vitest';

/**
 * Shutdown closes the database right after it stops the outbox deliverers. A pass still in flight (a slow
 * Teams post, then `delivered()`) used to write after the close and log "delivery pass failed". Stopping
 * must wait for that pass, and start no other.
 */
describe('outbox deliverer shutdown', () => {
  it('stop() resolves only after the pass in flight has finished, and no pass runs after it', async () => {
    const steps: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let passes = 0;
    const errors: unknown[] = [];
    const loop = new KickLoop({
      pass: async () => {
        passes += 1;
        steps.push('pass started');
        await gate; // the chat answering slowly
        steps.push('pass finished'); // here it would record the delivery in the database
      },
      nextDueAt: async () => Date.now() + 5, // more work due soon: a pass would follow if allowed
      onError: (error) => errors.push(error),
    });
    loop.kick();
    expect(steps).toEqual(['pass started']);
    loop.kick(); // a change during the pass asks for another
    const stopped = loop.stop().then(() => steps.push('stopped'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(steps).toEqual(['pass started']); // still waiting for the chat: not stopped yet
    release();
    await stopped;
    expect(steps).toEqual(['pass started', 'pass finished', 'stopped']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes).toBe(1);
    expect(errors).toEqual([]);
  });

  it('stop() on an idle loop resolves at once, and a kick after it does nothing', async () => {
    let passes = 0;
    const loop = new KickLoop({
      pass: async () => {
        passes += 1;
      },
      nextDueAt: async () => undefined,
      onError: () => {},
    });
    await loop.stop();
    loop.kick();
    loop.nudge(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passes).toBe(0);
  });
});
