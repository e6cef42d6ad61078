import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { errorResponse } from './errors';

export const EMPTY_BODY_MESSAGE = 'The request body is empty; send a JSON object.';

/**
 * What an empty body means for one route. Where the route needs a body, it is refused saying so
 * (Hono's validator would call it "Malformed JSON", with no details). Where the body is optional or
 * none is taken, an empty one reads as `{}`, so the route's strict schema still refuses any field it
 * does not take while a client that sends `content-type: application/json` and no body goes through.
 */
export function bodyPresence(required: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    // Already read (and cached by Hono) by strictJsonBody when it is JSON; reading again costs nothing.
    if ((await c.req.text()) === '') {
      if (required)
        return errorResponse(c, 'invalid_request', EMPTY_BODY_MESSAGE, [
          { path: '(body)', message: 'empty; expected a JSON object' },
        ]);
      c.req.json = <T>() => Promise.resolve({} as T);
    }
    await next();
  };
}
