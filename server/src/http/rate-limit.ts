import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { errorResponse } from './errors';

type Bucket = { tokens: number; at: number };

/**
 * A token bucket per caller (the key by default): an agent stuck in a loop must not bury its
 * approvers in requests. In memory, per process: with several nodes each enforces its own share.
 */
export function rateLimit(
  perSecond: number,
  burst: number,
  keyOf: (c: Context<AppEnv>) => string = (c) => c.var.actor.id,
): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    if (perSecond <= 0) return next();
    const key = keyOf(c);
    const now = performance.now();
    const bucket = buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(key, bucket);
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
}
