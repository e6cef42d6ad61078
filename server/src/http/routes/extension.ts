import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Core } from '../../services/core';
import { extensionRules } from '../../services/extension/extension-rules';
import { pairExtension } from '../../services/pairing/pairing-codes';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const Rules = z
  .object({ version: z.string(), consoles: z.array(z.record(z.string(), z.unknown())) })
  .meta({ id: 'ExtensionRules' });
const Paired = z
  .object({
    key: z.string(),
    user: z.object({ id: z.string(), email: z.string() }),
    webhookSecret: z.string(),
  })
  .meta({ id: 'ExtensionPairing' });

const rules = v1Route({
  method: 'get',
  path: '/v1/extension/rules',
  summary: 'The console rules the browser extension holds requests by (any key)',
  responses: { 200: json(Rules, 'The rules in force') },
});

const pair = v1Route(
  {
    method: 'post',
    path: '/v1/extension/pair',
    summary: 'Exchange a one-time code from `/approvals connect` in Slack for a personal key (no key needed)',
    security: [],
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.strictObject({ code: z.string().min(1).max(40) }) } },
      },
    },
    responses: {
      200: json(Paired, 'A personal actions:write key for the Slack-verified person; shown once'),
    },
  },
  [410],
);

export function registerExtensionRoutes(app: OpenAPIHono<AppEnv>, core: Core): void {
  app.openapi(rules, (c) => c.json(extensionRules(core), 200));
  app.openapi(pair, async (c) =>
    c.json(await pairExtension(core, c.req.valid('json').code, { address: c.var.clientAddress }), 200),
  );
}
