import { RedeemInput } from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Core } from '../../services/core';
import { redeemGrant } from '../../services/grants/redeem-grant';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const Redeemed = z
  .object({ ok: z.literal(true), actionId: z.string(), grantId: z.string() })
  .meta({ id: 'Redeemed' });

const redeem = v1Route(
  {
    method: 'post',
    path: '/v1/grants/redeem',
    summary: 'Spend a grant, once, for the exact action it was issued for',
    request: {
      headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      body: { required: true, content: { 'application/json': { schema: RedeemInput } } },
    },
    responses: { 200: json(Redeemed, 'Redeemed; the action may run now') },
  },
  [404, 409, 410],
);

export function registerGrantRoutes(app: OpenAPIHono<AppEnv>, core: Core): void {
  app.openapi(redeem, async (c) => {
    const ctx = { core, actor: c.var.actor };
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    return c.json(await redeemGrant({ ctx, input: c.req.valid('json'), idempotencyKey }), 200);
  });
}
