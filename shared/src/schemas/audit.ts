import { z } from 'zod';

/** The closed set of audit event types; nothing else is ever appended. */
export const AUDIT_EVENT_TYPES = [
  'action.submitted',
  'action.allowed',
  'action.blocked',
  'action.approved',
  'action.denied',
  'action.expired',
  'action.cancelled',
  'review.recorded',
  'review.refused',
  'review.discounted',
  'grant.issued',
  'grant.redeemed',
  'grant.refused',
  'grant.redeem_replayed',
  'key.created',
  'pairing.issued',
  'pairing.failed',
  'key.revoked',
  'policy.loaded',
  'policy.rejected',
] as const;
export const AuditEventType = z.enum(AUDIT_EVENT_TYPES);
export type AuditEventType = z.infer<typeof AuditEventType>;

export const AuditEvent = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    type: AuditEventType,
    actor: z.string(),
    subject: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditVerification = z
  .object({
    ok: z.boolean(),
    events: z.number().int(),
    head: z.string().nullable(),
    firstBadSeq: z.number().int().optional(),
    problem: z.string().optional(),
  })
  .meta({ id: 'AuditVerification' });
export type AuditVerification = z.infer<typeof AuditVerification>;
