import { ErrorBody } from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { hasScope } from '../../context';
import type { Metrics } from '../../metrics/metrics';
import type { Core } from '../../services/core';
import { authenticate } from '../../services/keys/authenticate';
import { bearerToken } from '../bearer';
import type { AppEnv } from '../env';
import { errorResponse } from '../errors';

/** Prometheus text for an `admin` key on the API port (anyone may read it on COUNTERSIGN_METRICS_PORT). */
export function registerMetricsRoute(app: OpenAPIHono<AppEnv>, core: Core, metrics: Metrics): void {
  // Served as Prometheus text, not JSON, so it is a plain route; listed in the document all the same.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (an admin key here; anyone on COUNTERSIGN_METRICS_PORT)',
    security: [{ bearer: [] }],
    responses: {
      200: {
        description: 'Prometheus text format',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
      401: { description: 'error', content: { 'application/json': { schema: ErrorBody } } },
      403: { description: 'error', content: { 'application/json': { schema: ErrorBody } } },
    },
  });
  app.get('/metrics', async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    const actor = token ? await authenticate(core, token) : undefined;
    if (!actor)
      return errorResponse(c, 'unauthenticated', 'send an admin key as "Authorization: Bearer <key>"');
    if (!hasScope(actor, 'admin'))
      return errorResponse(c, 'forbidden', 'metrics need a key with the admin scope');
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
}

/** The separate metrics listener's whole app: GET /metrics, nothing else. */
export function metricsOnly(metrics: Metrics): (request: Request) => Promise<Response> {
  return async (request) => {
    if (new URL(request.url).pathname !== '/metrics' || request.method !== 'GET')
      return new Response('not found\n', { status: 404 });
    return new Response(await metrics.registry.metrics(), {
      headers: { 'content-type': metrics.registry.contentType },
    });
  };
}
