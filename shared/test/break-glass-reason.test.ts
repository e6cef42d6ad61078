import { describe, expect, it } from 'vitest';
import { BreakGlassInput } from '../src/schemas/action';

// Adversarial trial: 21 zero-width spaces passed the 20-character minimum of a break-glass reason.
// Only what a reader sees counts: format characters, controls and spaces are not a reason.
const accepted = (reason: string) => BreakGlassInput.safeParse({ reason }).success;

describe('a break-glass reason counts only visible characters', () => {
  it.each([
    ['21 zero-width spaces', '\u200B'.repeat(21)],
    ['zero-width joiners and BOMs', '\u200D\uFEFF'.repeat(15)],
    ['bidi marks around a short word', `\u202E${'ok'}\u202C${'\u200E'.repeat(30)}`],
    ['no-break and ideographic spaces', '\u00A0\u3000\u2007'.repeat(10)],
    ['controls', '\u0001\u0007\u001F'.repeat(10)],
    ['19 letters padded with spaces and zero-width spaces', `${'a'.repeat(19)}${' \u200B'.repeat(10)}`],
  ])('refuses %s', (_what, reason) => {
    expect(accepted(reason)).toBe(false);
  });

  it('accepts 20 visible characters, whatever is around them', () => {
    expect(accepted('db is down, paging failed')).toBe(true);
    expect(accepted(`\u200B${'a'.repeat(20)}\u200B`)).toBe(true);
    // By character drawn (grapheme): twenty emoji are twenty characters, not forty UTF-16 units.
    expect(accepted('🔥'.repeat(20))).toBe(true);
    expect(accepted('🔥'.repeat(19))).toBe(false);
  });
});
