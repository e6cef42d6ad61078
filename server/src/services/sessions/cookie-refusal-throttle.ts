import type { Core } from '../core';

/** One audited refusal per address per window; the rest are counted and summed into the next row. */
export const REFUSAL_WINDOW_MS = 60_000;
/** Rows per window over all addresses: a flood from many addresses (an IPv6 range) is bounded too. */
const ROWS_PER_WINDOW = 60;
/** Addresses remembered; past this the oldest is forgotten (its count stays in the metric). */
const MAX_ADDRESSES = 10_000;

export type RefusalVerdict =
  | { audit: true; suppressed: number; suppressedElsewhere: number }
  | { audit: false };

/**
 * Which tampered-cookie refusals reach the audit chain. Each one is refused all the same (fail closed);
 * only the record is throttled, because a script replaying a forged cookie would otherwise append a
 * hash-chained row per request and fill the log. The first from an address in a window is written,
 * carrying how many from that address (`suppressed`) and past the overall cap (`suppressedElsewhere`)
 * went unwritten since; every refusal is counted for /metrics. Kept per node in memory: each node
 * writes at most its own share, and a restart forgets only the counts, never a refusal.
 */
export class CookieRefusalThrottle {
  readonly #addresses = new Map<string, { since: number; suppressed: number }>();
  #windowStart = Number.NEGATIVE_INFINITY;
  #rowsInWindow = 0;
  #overflow = 0;
  readonly totals = { audited: 0, suppressed: 0 };

  admit(address: string, now: number): RefusalVerdict {
    const seen = this.#addresses.get(address);
    if (seen && now - seen.since < REFUSAL_WINDOW_MS) return this.#suppress(() => (seen.suppressed += 1));
    if (now - this.#windowStart >= REFUSAL_WINDOW_MS) {
      this.#windowStart = now;
      this.#rowsInWindow = 0;
    }
    if (this.#rowsInWindow >= ROWS_PER_WINDOW) return this.#suppress(() => (this.#overflow += 1));
    this.#rowsInWindow += 1;
    this.totals.audited += 1;
    const verdict = {
      audit: true as const,
      suppressed: seen?.suppressed ?? 0,
      suppressedElsewhere: this.#overflow,
    };
    this.#overflow = 0;
    // Re-inserted, so the Map's order is oldest-first and the first key is the one to forget.
    this.#addresses.delete(address);
    this.#addresses.set(address, { since: now, suppressed: 0 });
    if (this.#addresses.size > MAX_ADDRESSES) {
      const oldest = this.#addresses.keys().next();
      if (!oldest.done) this.#addresses.delete(oldest.value);
    }
    return verdict;
  }

  #suppress(count: () => void): RefusalVerdict {
    count();
    this.totals.suppressed += 1;
    return { audit: false };
  }
}

const throttles = new WeakMap<Core, CookieRefusalThrottle>();

/** The node's throttle (one per Core: servers sharing a process in tests do not share counts). */
export function cookieRefusalThrottle(core: Core): CookieRefusalThrottle {
  let throttle = throttles.get(core);
  if (!throttle) {
    throttle = new CookieRefusalThrottle();
    throttles.set(core, throttle);
  }
  return throttle;
}
