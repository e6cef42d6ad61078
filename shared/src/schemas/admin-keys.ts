import { z } from 'zod';
import { AgentName, Email, Scope } from './keys';

// POST/GET/DELETE /v1/keys: an admin manages keys over HTTP (and in the console), no database host.

const expiresAt = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 time, e.g. 2027-01-31T00:00:00Z' })
  .optional()
  .meta({ description: 'After this instant the key authenticates no one. Must be in the future.' });
const label = z.string().min(1).max(200).optional();

export const CreateKeyRequest = z
  .union([
    z.strictObject({
      agent: AgentName,
      owner: Email.meta({ description: 'The person responsible for the agent; never its approver.' }),
      scopes: z.array(Scope).min(1).max(5).optional(),
      label,
      expiresAt,
    }),
    z.strictObject({ user: Email, scopes: z.array(Scope).min(1).max(5).optional(), label, expiresAt }),
  ])
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
