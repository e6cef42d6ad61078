import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './env';

/**
 * Refuses a body over `maxSize` bytes. A body with a `content-length` is judged by the header:
 * Node's parser delivers exactly that many bytes and refuses a request that also says chunked, so
 * the header is the size. Only a chunked body (no length up front) is counted as it streams, by
 * hono's bodyLimit. Why not bodyLimit for all: it reads `c.req.raw.body`, which makes
 * @hono/node-server build a full undici Request for every call (≈6% of the allow path's CPU), where
 * `c.req.text()` later reads the body straight off the socket.
 */
export function bodySize(
  maxSize: number,
  onError: (c: Context<AppEnv>) => Response | Promise<Response>,
): MiddlewareHandler<AppEnv> {
  const streamed = bodyLimit({ maxSize, onError });
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined)
      return c.req.header('transfer-encoding') === undefined ? next() : streamed(c, next);
    return Number(length) > maxSize ? Promise.resolve(onError(c)) : next();
  };
}
