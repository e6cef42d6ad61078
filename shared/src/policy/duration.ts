import { z } from 'zod';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;
// Keeps expiry arithmetic far inside what a Date can hold.
const MAX_MS = 365 * UNIT_MS.d;

export const DURATION_HINT = 'expected a duration like 30s, 15m, 2h or 1d';

/** Parses `30s`, `15m`, `2h`, `1d`, `500ms` or a sum such as `1h30m` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  return total;
}

/** The shortest spelling of a duration in the policy file's own units, e.g. `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of Object.keys(UNIT_MS) as Unit[]) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

export const durationSchema = z.string({ error: DURATION_HINT }).transform((text, ctx) => {
  const ms = parseDuration(text.trim());
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `${DURATION_HINT}, not "${text}"` });
    return z.NEVER;
  }
  if (ms === 0 || ms > MAX_MS) {
    ctx.addIssue({ code: 'custom', message: `must be more than 0s and at most 365d, not "${text}"` });
    return z.NEVER;
  }
  return ms;
});
