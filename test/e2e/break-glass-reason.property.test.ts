import { BREAK_GLASS_MIN_REASON, BreakGlassInput, visibleLength } from '@countersign/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The break-glass minimum counts what a reader sees: grapheme clusters holding a letter, number,
// punctuation or symbol. Marks, format characters, controls and spaces may pad a reason to any
// number of code points and still count for nothing. (Slack's and Teams' own length checks count
// every character; the API refuses the rest, and every transport goes through BreakGlassInput.)

const marks = fc.array(
  fc.integer({ min: 0x300, max: 0x36f }).map((c) => String.fromCodePoint(c)),
  {
    maxLength: 30,
  },
);
// A visible base that never joins its neighbour into one cluster (no jamo, no regional indicators).
const base = fc.constantFrom(...'aZ09.,!?€$+<漢字éßЖع'.split(''));
// Pads a reader does not see: zero-width, joiners, bidi marks, BOM, spaces, controls, and marks on nothing.
const pad = fc.constantFrom(
  '\u200B',
  '\u200C',
  '\u200D',
  '\u200E',
  '\u202E',
  '\u2066',
  '\uFEFF',
  '\u00AD',
  ' ',
  '\u00A0',
  '\u3000',
  '\t',
  '\n',
  '\r\n',
  '\u0001',
  '\u007F',
  ' \u0301',
);
// Conjoining jamo: a leading consonant, a vowel and maybe a trailing consonant draw one syllable.
const jamoSyllable = fc
  .tuple(
    fc.integer({ min: 0x1100, max: 0x1112 }),
    fc.integer({ min: 0x1161, max: 0x1175 }),
    fc.option(fc.integer({ min: 0x11a8, max: 0x11c2 }), { nil: undefined }),
  )
  .map(([l, v, t]) => String.fromCodePoint(l, v, ...(t === undefined ? [] : [t])));
// Emoji spelt in several code points, each drawn as one.
const emoji = fc.constantFrom(
  '🔥',
  '👍🏽',
  '👨\u200D👩\u200D👧\u200D👦',
  '🏳️\u200D🌈',
  '👩🏾\u200D💻',
  '🇫🇷',
  '1️⃣',
  '❤️',
);

describe('visibleLength', () => {
  it('counts each visible base once, whatever marks sit on it and whatever invisible pads surround it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(pad, { maxLength: 3 }), base, marks), { maxLength: 40 }),
        (parts) => {
          const text = parts.map(([before, b, m]) => `${before.join('')}${b}${m.join('')}`).join('');
          expect(visibleLength(text)).toBe(parts.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts nothing in a text of marks, format characters, controls and spaces alone', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            pad,
            marks.map((m) => m.join('')),
          ),
          { maxLength: 60 },
        ),
        (parts) => {
          expect(visibleLength(parts.join(''))).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts a jamo syllable and an emoji sequence as one each', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(jamoSyllable, emoji), { maxLength: 40 }), (parts) => {
        // Two regional indicators side by side draw one flag: keep flags apart with a space.
        expect(visibleLength(parts.join(' '))).toBe(parts.length);
      }),
      { numRuns: 500 },
    );
  });

  it('never counts more than the code points of any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        expect(visibleLength(text)).toBeLessThanOrEqual([...text].length);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    {
      what: '"a" under 25 combining marks',
      text: `a${'\u0301\u0323\u0308\u0300\u0327'.repeat(5)}`,
      count: 1,
    },
    { what: '20 emoji', text: '🔥'.repeat(20), count: 20 },
    { what: '"é" as e + U+0301', text: 'e\u0301', count: 1 },
    { what: '20 Hangul syllables in conjoining jamo', text: '\u1112\u1161\u11AB'.repeat(20), count: 20 },
    {
      what: 'a family and a rainbow flag joined by ZWJs',
      text: '👨\u200D👩\u200D👧\u200D👦🏳️\u200D🌈',
      count: 2,
    },
    { what: '25 combining marks and nothing else', text: '\u0301'.repeat(25), count: 0 },
  ])('$what counts $count', ({ text, count }) => {
    expect(visibleLength(text)).toBe(count);
  });
});

describe('BreakGlassInput', () => {
  it('accepts a reason exactly when a reader sees at least the minimum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(base, marks, fc.array(pad, { maxLength: 2 })), { maxLength: 30 }),
        (parts) => {
          const reason = parts.map(([b, m, after]) => `${b}${m.join('')}${after.join('')}`).join('');
          const parsed = BreakGlassInput.safeParse({ reason });
          // The 4000-character ceiling counts UTF-16 units, as the field's JSON Schema says.
          const fits = reason.length <= 4000;
          expect(parsed.success).toBe(parts.length >= BREAK_GLASS_MIN_REASON && fits);
          if (!parsed.success) expect(parsed.error.issues.map((i) => i.path.join('.'))).toContain('reason');
        },
      ),
      { numRuns: 300 },
    );
  });
});
