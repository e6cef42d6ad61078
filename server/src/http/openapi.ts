import { ErrorBody } from '@countersign/shared';
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import { bodyPresence } from './body-presence';

/** The error responses every authenticated route can give, documented once. */
const errors = (codes: number[]) =>
  Object.fromEntries(
    codes.map((status) => [
      status,
      { description: 'error', content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );

export const COMMON_ERRORS = [400, 401, 403, 413, 429];

// What a route that takes no query parameters or no body accepts: nothing, so a field it does not
// take is named in a 400 rather than ignored (`?limit=abc` on a list with no paging, `{force: true}`
// on a cancel looked accepted before).
const NOTHING = z.strictObject({});
const BODYLESS = { required: false, content: { 'application/json': { schema: NOTHING } } };

type RequestOf<R> = R extends { request: infer Q } ? Q : undefined;

/** The route's own query and body, or the strict empty ones; GET and HEAD take no body. */
function strictRequest(route: RouteConfig): NonNullable<RouteConfig['request']> {
  const request = route.request ?? {};
  const takesBody = route.method !== 'get' && route.method !== 'head';
  return {
    ...request,
    query: request.query ?? NOTHING,
    ...(takesBody && { body: request.body ?? BODYLESS }),
  };
}

/**
 * A `/v1` route: bearer-authenticated, with the contract's error responses; unknown query parameters
 * and body fields are refused, and an empty body is refused by name where one is required.
 */
export function v1Route<R extends RouteConfig>(route: R, extraErrors: number[] = []) {
  const own = route.middleware === undefined ? [] : [route.middleware].flat();
  return createRoute({
    ...route,
    // Only empty strict objects are added: the handlers' typed inputs stay the route's own.
    request: strictRequest(route) as RequestOf<R>,
    middleware: [...own, bodyPresence(route.request?.body?.required === true)],
    security: [{ bearer: [] }],
    responses: { ...route.responses, ...errors([...COMMON_ERRORS, ...extraErrors]) },
  });
}

export const json = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
