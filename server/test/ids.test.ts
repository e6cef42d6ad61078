import { describe, expect, it, vi } from 'vitest';
import { newId, pooledRandom } from '../src/ids';

describe('ids', () => {
  it('reads the OS CSPRNG once per pool, not once per character of every id', () => {
    const perCharacter = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      for (let i = 0; i < 1_000; i++) newId('act');
      expect(perCharacter).not.toHaveBeenCalled();
    } finally {
      perCharacter.mockRestore();
    }
  });

  it('stays unique and sorted across many pool refills within the same milliseconds', () => {
    const ids = Array.from({ length: 50_000 }, () => newId('act'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^act_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('draws fractions in [0, 1) that cover every one of the 32 symbols evenly', () => {
    const counts = new Array<number>(32).fill(0);
    const draws = 64_000;
    let outside = 0;
    for (let i = 0; i < draws; i++) {
      const fraction = pooledRandom();
      if (fraction < 0 || fraction >= 1) outside += 1;
      const symbol = Math.floor(fraction * 32);
      counts[symbol] = (counts[symbol] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    // 2,000 expected per symbol; 8 standard deviations either side would be ±360.
    for (const count of counts) expect(Math.abs(count - draws / 32)).toBeLessThan(360);
  });
});
