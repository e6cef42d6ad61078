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
