import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Core } from '../../services/core';
import { reloadPolicy } from '../../services/policy/reload-policy';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const Reloaded = z
  .object({ version: z.string(), previousVersion: z.string(), changed: z.boolean(), rules: z.number().int() })
  .meta({ id: 'PolicyReload' });

const reload = v1Route({
  method: 'post',
  path: '/v1/admin/policy/reload',
  summary: 'Re-read the policy file; an invalid file is refused and the running policy kept',
  responses: { 200: json(Reloaded, 'The policy now in force') },
});

export function registerAdminRoutes(app: OpenAPIHono<AppEnv>, core: Core): void {
  app.openapi(reload, async (c) => c.json(await reloadPolicy({ ctx: { core, actor: c.var.actor } }), 200));
}
