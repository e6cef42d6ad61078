import {
  CreatedKeyResponse,
  CreateKeyRequest,
  KeyList,
  RevokedKey,
  RotatedKeyResponse,
  RotateKeyRequest,
} from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Core } from '../../services/core';
import { createKey } from '../../services/keys/create-key';
import { listKeys } from '../../services/keys/list-keys';
import { revokeKey } from '../../services/keys/revoke-key';
import { rotateKey } from '../../services/keys/rotate-key';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const create = v1Route({
  method: 'post',
  path: '/v1/keys',
  summary: 'Make an agent key (with its owner) or a user key (with scopes); the key is in this answer once',
  request: { body: { required: true, content: { 'application/json': { schema: CreateKeyRequest } } } },
  responses: { 201: json(CreatedKeyResponse, 'The new key') },
});

const list = v1Route({
  method: 'get',
  path: '/v1/keys',
  summary: 'Every key, newest first, with last use, revocation and expiry; never a secret',
  responses: { 200: json(KeyList, 'The keys') },
});

const revoke = v1Route(
  {
    method: 'delete',
    path: '/v1/keys/{id}',
    summary: 'Revoke a key at once; revoking a revoked key says when it was revoked',
    request: { params: z.object({ id: z.string().min(1).max(100) }) },
    responses: { 200: json(RevokedKey, 'Revoked') },
  },
  [404],
);

const rotate = v1Route(
  {
    method: 'post',
    path: '/v1/keys/{id}/rotate',
    summary:
      'Replace a key: a new key for the same principal and scopes (in this answer once), the old one revoked at once or after graceMinutes',
    request: {
      params: z.object({ id: z.string().min(1).max(100) }),
      body: { required: false, content: { 'application/json': { schema: RotateKeyRequest } } },
    },
    responses: { 201: json(RotatedKeyResponse, 'The new key, and what became of the old one') },
  },
  [404],
);

/** Admin key management over HTTP: the same verbs `countersign keys` calls on the database host. */
export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, core: Core): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const expiresAt = body.expiresAt === undefined ? undefined : Date.parse(body.expiresAt);
    const input =
      body.agent !== undefined
        ? {
            kind: 'agent' as const,
            name: body.agent,
            owner: body.owner ?? '',
            scopes: body.scopes,
            label: body.label,
            expiresAt,
          }
        : {
            kind: 'user' as const,
            email: body.user ?? '',
            scopes: body.scopes,
            label: body.label,
            expiresAt,
          };
    const made = await createKey({ ctx: { core, actor: c.var.actor }, input });
    return c.json(
      {
        id: made.id,
        principal: made.principal,
        scopes: made.scopes,
        expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
        key: made.token,
        webhookSecret: made.webhookSecret,
      },
      201,
    );
  });
  app.openapi(list, async (c) =>
    c.json({ keys: await listKeys({ ctx: { core, actor: c.var.actor } }) }, 200),
  );
  app.openapi(rotate, async (c) => {
    const body = c.req.valid('json') ?? {};
    const rotated = await rotateKey({
      ctx: { core, actor: c.var.actor },
      id: c.req.valid('param').id,
      input: {
        expiresAt: body.expiresAt === undefined ? undefined : Date.parse(body.expiresAt),
        graceMinutes: body.graceMinutes,
      },
    });
    const { token, ...rest } = rotated;
    return c.json({ ...rest, key: token }, 201);
  });
  app.openapi(revoke, async (c) =>
    c.json(await revokeKey({ ctx: { core, actor: c.var.actor }, id: c.req.valid('param').id }), 200),
  );
}
