import { ErrorBody } from '@countersign/shared';
import { createRoute, type RouteConfig } from '@hono/zod-openapi';

/** The error responses every authenticated route can give, documented once. */
const errors = (codes: number[]) =>
  Object.fromEntries(
    codes.map((status) => [
      status,
      { description: 'error', content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );

export const COMMON_ERRORS = [400, 401, 403, 413, 429];

/** A `/v1` route: bearer-authenticated, with the contract's error responses. */
export function v1Route<R extends RouteConfig>(route: R, extraErrors: number[] = []) {
  return createRoute({
    ...route,
    security: [{ bearer: [] }],
    responses: { ...route.responses, ...errors([...COMMON_ERRORS, ...extraErrors]) },
  });
}

export const json = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
