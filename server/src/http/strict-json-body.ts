import { parseStrictJson } from '@countersign/shared';
import type { MiddlewareHandler } from 'hono';
import { encodingRefusal, undecodedEncoding } from './content-encoding';
import type { AppEnv } from './env';
import { errorResponse } from './errors';

// Every media type Hono's validator would read as JSON (`application/json`, `application/x+json`).
const JSON_TYPE = /^\s*application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Every JSON body under /v1 is parsed here, once, by the strict parser: a repeated key or a number a
 * double would change is refused before any route sees it, because after JSON.parse both are gone
 * (the last key wins, the number is rounded) and the digest would cover something the caller never
 * sent. The parsed value is handed to the routes' zod validators through `c.req.json()`, so the
 * body is read and parsed one time only.
 */
export function strictJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) return next();
    const coding = undecodedEncoding(c.req.header('content-encoding'));
    if (coding) return errorResponse(c, 'unsupported_media_type', encodingRefusal(coding));
    const text = await c.req.text();
    // No body at all: the routes that need one refuse it as malformed; the others ignore it.
    if (text === '') return next();
    const result = parseStrictJson(text);
    if (!result.ok) {
      const { path, message } = result.problem;
      return errorResponse(c, 'invalid_request', `${path}: ${message}`, [{ path, message }]);
    }
    const { value } = result;
    // Hono's validator reads the body through `c.req.json()`, which would JSON.parse the text again.
    c.req.json = <T>() => Promise.resolve(value as T);
    await next();
  };
}
