import { z } from 'zod';
import { AgentName, Email, Scope } from './keys';

// POST/GET/DELETE /v1/keys: an admin manages keys over HTTP (and in the console), no database host.

const expiresAt = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 time, e.g. 2027-01-31T00:00:00Z' })
  .optional()
  .meta({ description: 'After this instant the key authenticates no one. Must be in the future.' });
const label = z.string().min(1).max(200).optional();

// One object rather than a union, so a mistake is reported at its field (a union only says "invalid").
export const CreateKeyRequest = z
  .strictObject({
    agent: AgentName.optional().meta({ description: 'An agent key for this agent (with `owner`)' }),
    owner: Email.optional().meta({ description: "The agent's responsible person; never its approver." }),
    user: Email.optional().meta({ description: 'A user key for this person (instead of `agent`)' }),
    scopes: z.array(Scope).min(1).max(5).optional(),
    label,
    expiresAt,
  })
  .superRefine((body, ctx) => {
    if ((body.agent === undefined) === (body.user === undefined))
      ctx.addIssue({ code: 'custom', path: ['agent'], message: 'give either agent (with owner) or user' });
    if (body.agent !== undefined && body.owner === undefined)
      ctx.addIssue({ code: 'custom', path: ['owner'], message: 'required with agent' });
    if (body.user !== undefined && body.owner !== undefined)
      ctx.addIssue({ code: 'custom', path: ['owner'], message: 'only for agent keys' });
  })
  .meta({ id: 'CreateKeyRequest' });
export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>;

export const KeySummary = z
  .object({
    id: z.string(),
    principal: z.string(),
    scopes: z.array(z.string()),
    label: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'KeySummary' });

export const CreatedKeyResponse = z
  .object({
    id: z.string(),
    principal: z.string(),
    scopes: z.array(Scope),
    expiresAt: z.string().nullable(),
    key: z.string().meta({ description: 'The key itself: shown here once, never again.' }),
    webhookSecret: z.string(),
  })
  .meta({ id: 'CreatedKey' });

export const KeyList = z.object({ keys: z.array(KeySummary) }).meta({ id: 'KeyList' });
export const RevokedKey = z
  .object({ id: z.string(), revokedAt: z.string(), alreadyRevoked: z.boolean() })
  .meta({ id: 'RevokedKey' });

// POST /v1/keys/{id}/rotate: a new key for the same principal and scopes, the old one ended with it.
export const RotateKeyRequest = z
  .strictObject({
    expiresAt,
    graceMinutes: z
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .optional()
      .meta({
        description:
          'Minutes the old key keeps working (at most 7 days). 0, the default, revokes it at once.',
      }),
  })
  .meta({ id: 'RotateKeyRequest' });
export type RotateKeyRequest = z.infer<typeof RotateKeyRequest>;

export const RotatedKeyResponse = z
  .object({
    id: z.string(),
    principal: z.string(),
    scopes: z.array(Scope),
    expiresAt: z.string().nullable(),
    key: z.string().meta({ description: 'The new key itself: shown here once, never again.' }),
    webhookSecret: z.string(),
    replaced: z
      .object({ id: z.string(), revokedAt: z.string().nullable(), expiresAt: z.string().nullable() })
      .meta({ description: 'The old key: revoked now, or working until expiresAt (the grace period).' }),
  })
  .meta({ id: 'RotatedKey' });
