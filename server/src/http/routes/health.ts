import type { TransportState } from '@countersign/bot';
import { ErrorBody } from '@countersign/shared';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Core } from '../../services/core';
import { probeStorage } from '../../services/health/probe-storage';
import type { AppEnv } from '../env';
import { errorBody, retryStorageLater } from '../errors';
import { json } from '../openapi';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers',
  responses: { 200: json(z.object({ ok: z.literal(true) }), 'Alive') },
});

const TransportStateSchema = z.enum(['ready', 'connecting', 'refused', 'off']);

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: the database answers; names the policy in force and how each chat transport stands',
  description:
    'The node is ready when its database answers: the API serves whether or not Slack is reachable, so a transport that is connecting or refused is reported here, not as a 503.',
  responses: {
    200: json(
      z.object({
        ok: z.literal(true),
        policyVersion: z.string(),
        transports: z.record(z.string(), TransportStateSchema),
      }),
      'Ready',
    ),
    503: json(ErrorBody, 'The database is not reachable'),
  },
});

export function registerHealthRoutes(
  app: OpenAPIHono<AppEnv>,
  core: Core,
  transports: Record<string, () => TransportState>,
): void {
  app.openapi(healthz, (c) => c.json({ ok: true as const }, 200));
  app.openapi(readyz, async (c) => {
    try {
      // A write, not a SELECT: a full disk or a read-only or deleted file must turn the node unready.
      await probeStorage(core);
      const states = Object.fromEntries(Object.entries(transports).map(([name, state]) => [name, state()]));
      return c.json(
        { ok: true as const, policyVersion: core.policy.current.version, transports: states },
        200,
      );
    } catch (error) {
      c.var.log.error({ err: error }, 'readiness check failed');
      retryStorageLater(c);
      return c.json(errorBody('unavailable', 'the database cannot commit a write'), 503);
    }
  });
}
