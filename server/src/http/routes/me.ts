import { Scope } from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Actor } from '../../context';
import { forbidden } from '../../errors';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const keyFields = { keyId: z.string(), scopes: z.array(Scope) };
const Me = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('person'),
      id: z.string().meta({ example: 'user:alice@example.com' }),
      email: z.string(),
      ...keyFields,
    }),
    z.object({
      kind: z.literal('agent'),
      id: z.string().meta({ example: 'agent:billing-bot' }),
      name: z.string(),
      owner: z.string(),
      ...keyFields,
    }),
  ])
  .meta({ id: 'Me' });
type Me = z.infer<typeof Me>;

const me = v1Route({
  method: 'get',
  path: '/v1/me',
  summary: 'Who the calling key belongs to, and its scopes (any key)',
  responses: {
    200: json(Me, 'The principal behind the key; `id` is the same as `requester.id` on its requests'),
  },
});

/** The key's principal as a client sees it; `id` is the principal id its requests carry. */
function whoAmI(actor: Actor): Me {
  switch (actor.kind) {
    case 'agent': {
      const { id, name, owner, keyId, scopes } = actor;
      return { kind: 'agent', id, name, owner, keyId, scopes: [...scopes] };
    }
    case 'person':
      // Only a key reaches a /v1 route; a person acting in Slack has none.
      if (actor.via !== 'api') throw forbidden('only an API key has a /v1/me');
      return {
        kind: 'person',
        id: actor.id,
        email: actor.email,
        keyId: actor.keyId,
        scopes: [...actor.scopes],
      };
    case 'system':
      throw forbidden('only an API key has a /v1/me');
  }
}

export function registerMeRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(me, (c) => c.json(whoAmI(c.var.actor), 200));
}
