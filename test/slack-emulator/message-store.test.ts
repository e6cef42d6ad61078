import { describe, expect, it } from 'vitest';
import { MessageStore } from './message-store';

describe('message ts', () => {
  it('is unique and increasing even when many are minted within one millisecond', () => {
    const store = new MessageStore();
    const tss = Array.from({ length: 1000 }, () => store.nextTs());
    expect(new Set(tss).size).toBe(1000);
    expect([...tss].sort()).toEqual(tss);
    for (const ts of tss) expect(ts).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('stays close to the wall clock, as Slack timestamps do', () => {
    const seconds = Number(new MessageStore().nextTs().split('.')[0]);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(5);
  });
});
