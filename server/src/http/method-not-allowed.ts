import type { Context } from 'hono';
import { errorResponse } from './errors';

type Route = { method: string; path: string };
type Pattern = { method: string; test: RegExp };

/** A registered path as a regular expression: `:id` (with or without a `{…}` constraint) is one segment. */
function compile(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * Answers a request no route took: a path some route serves under another method is a 405 naming the
 * methods in `Allow` (PUT /v1/actions was a 404 before, as if the path did not exist); anything else
 * is `undefined`, left to the 404. Wildcards (middleware, the console's catch-alls) and SCIM (its own
 * error format) are left out. The routes are read on first use, once all are registered.
 */
export function methodNotAllowed(routes: () => readonly Route[]): (c: Context) => Response | undefined {
  let patterns: Pattern[] | undefined;
  return (c) => {
    patterns ??= routes()
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/scim/'))
      .map((r) => ({ method: r.method.toUpperCase(), test: compile(r.path) }));
    const path = c.req.path;
    const allowed = new Set(patterns.filter((p) => p.test.test(path)).map((p) => p.method));
    if (allowed.size === 0) return undefined;
    // Hono answers HEAD with the GET route.
    if (allowed.has('GET')) allowed.add('HEAD');
    const allow = [...allowed].sort().join(', ');
    c.header('Allow', allow);
    return errorResponse(c, 'method_not_allowed', `${c.req.method} is not allowed on ${path}; use ${allow}`, [
      { path: 'method', message: `allowed: ${allow}` },
    ]);
  };
}
