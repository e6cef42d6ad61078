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
  // A policy reload re-bound a pending request to its new rule's terms (before and after), or blocked it.
  'action.rebound',
  // Issue 16: a reviewer amended the params before approving (both versions and the diff).
  'action.amended',
  // Ask before deciding: a reviewer's question, and the requester's answer.
  'action.question',
  'action.answered',
  // Break-glass: the requester's side approved its own request under a rule that allows it, and the
  // follow-up review of that (signed off or flagged by an approver).
  'action.break_glass',
  // An attempt to break the glass that was refused (wrong person, no step-up, a rule without it…).
  'break_glass.refused',
  'action.follow_up',
  // Standing approvals: created with an approval, used by a later request (each named), revoked.
  'standing.created',
  'standing.used',
  'standing.revoked',
  'grant.issued',
  'grant.redeemed',
  'grant.refused',
  'grant.redeem_replayed',
  'key.created',
  'pairing.issued',
  'pairing.failed',
  'key.revoked',
  // One operation: a new key made and the old one revoked (or given a grace period) together.
  'key.rotated',
  'policy.loaded',
  'policy.rejected',
  'audit.checkpoint',
  'identity.user.created',
  'identity.user.updated',
  'identity.user.deactivated',
  'identity.user.reactivated',
  'identity.user.deleted',
  'identity.group.created',
  'identity.group.updated',
  'identity.group.deleted',
  // An operator released the IdP subject pinned to a person's email (countersign people release-subject).
  'identity.subject_released',
  'agent.reassigned',
  // The web console: one-time links, sign-ins (link or identity provider), refusals and sign-outs.
  'session.link_issued',
  'session.started',
  'session.refused',
  'session.ended',
  // Step-up approvals (issue 14): a step-up verified or refused, and passkeys added or removed.
  'step_up.verified',
  'step_up.refused',
  'passkey.registered',
  'passkey.removed',
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
    /** Set when a checkpoint vouches for events the log no longer has: it ends at this seq. */
    truncatedAfter: z.number().int().optional(),
    /** The newest signed checkpoint in the log that verified: the events up to `seq` are vouched for. */
    lastCheckpoint: z.object({ seq: z.number().int(), at: z.string() }).nullable().optional(),
  })
  .meta({ id: 'AuditVerification' });

/**
 * A signed statement "the audit log's event `seq` has hash `head`", made by the install's key (derived
 * from the server secret). Self-contained: it carries the public key, so it can be kept elsewhere and
 * checked later. Checkpoint `seq` 0 with the all-zero head is the genesis every log starts with.
 */
export const AuditCheckpoint = z
  .object({
    v: z.literal(1),
    seq: z.number().int().min(0),
    head: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.string(),
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
  })
  .strict()
  .meta({ id: 'AuditCheckpoint' });
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;
export type AuditVerification = z.infer<typeof AuditVerification>;
