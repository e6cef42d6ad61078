import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { errorResponse } from './errors';

type Bucket = { tokens: number; at: number };

/** Enough for every caller a busy install has at once; a flood of new addresses cannot grow past it. */
export const MAX_BUCKETS = 10_000;

export type RateLimiter = MiddlewareHandler<AppEnv> & { readonly size: () => number };

/**
 * A token bucket per caller (the key by default): an agent stuck in a loop must not bury its
 * approvers in requests. In memory, per process: with several nodes each enforces its own share.
 * At most `maxBuckets` are kept; the least recently seen goes first. An evicted caller starts again
 * with a full bucket, which is what an idle one would have had anyway.
 */
export function rateLimit(
  perSecond: number,
  burst: number,
  keyOf: (c: Context<AppEnv>) => string = (c) => c.var.actor.id,
  maxBuckets = MAX_BUCKETS,
): RateLimiter {
  // A Map iterates in insertion order: re-inserting on every hit keeps the coldest bucket first.
  const buckets = new Map<string, Bucket>();
  const limit: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (perSecond <= 0) return next();
    const key = keyOf(c);
    const now = performance.now();
    const bucket = buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.delete(key);
    buckets.set(key, bucket);
    for (const coldest of buckets.keys()) {
      if (buckets.size <= maxBuckets) break;
      buckets.delete(coldest);
    }
    if (bucket.tokens < 1) {
      c.header('retry-after', String(Math.ceil((1 - bucket.tokens) / perSecond)));
      return errorResponse(
        c,
        'rate_limited',
        `more than ${perSecond} requests a second from ${key}; slow down`,
      );
    }
    bucket.tokens -= 1;
    return next();
  };
  return Object.assign(limit, { size: () => buckets.size });
}
