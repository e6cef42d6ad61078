import type { ActionRequest, ActionSource, ActionStatus } from '@countersign/shared';
import type { Risk } from '@countersign/shared/policy';
import { conditionFailure, RISKS } from '@countersign/shared/policy';
import type { Actor } from '../../context';
import type { Core } from '../core';
import { tokenOf } from '../grants/tokens';
import { effectiveStatus, type LoadedAction } from './rows';

const isRisk = (value: string | null): value is Risk => RISKS.some((risk) => risk === value);

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

const FOLLOW_UP = ['open', 'signed_off', 'flagged'] as const;
type FollowUpStatus = (typeof FOLLOW_UP)[number];
const isFollowUp = (v: string | null): v is FollowUpStatus => FOLLOW_UP.some((s) => s === v);

/** Why the matched condition could not be evaluated for this request as submitted, if it could not. */
function matchedFailure(row: LoadedAction['row'], condition: string): string | undefined {
  return conditionFailure(condition, {
    action: row.action,
    resource: row.resource ?? undefined,
    environment: row.environment ?? undefined,
    // What the rule was decided on: the params as submitted, before any amendment.
    params: (row.originalDigest === null ? row.params : row.originalParams) ?? undefined,
    context: row.context,
    requester: {
      id: row.requesterId,
      kind: row.requesterId.startsWith('agent:') ? 'agent' : 'person',
      owner: row.requesterOwner ?? undefined,
      groups: [],
    },
    source: row.source,
    now: row.createdAt,
  });
}

function breakGlassOf(row: LoadedAction['row']): NonNullable<ActionRequest['breakGlass']> {
  const view: NonNullable<ActionRequest['breakGlass']> = {
    notify: row.breakGlassNotify ?? [],
    reviewWithinMs: row.breakGlassReviewMs ?? 0,
  };
  if (row.breakGlassAt === null) return view;
  view.at = new Date(row.breakGlassAt).toISOString();
  if (row.breakGlassReason !== null) view.reason = row.breakGlassReason;
  if (row.breakGlassBy !== null) view.by = row.breakGlassBy;
  if (isFollowUp(row.followUpStatus)) {
    view.followUp = {
      status: row.followUpStatus,
      dueAt: new Date(row.breakGlassAt + (row.breakGlassReviewMs ?? 0)).toISOString(),
      ...(row.followUpBy !== null && { by: row.followUpBy }),
      ...(row.followUpAt !== null && { at: new Date(row.followUpAt).toISOString() }),
      ...(row.followUpComment !== null && { comment: row.followUpComment }),
    };
  }
  return view;
}

/** The contract's ActionRequest, as `viewer` may see it: the grant token only for the requester. */
export function toActionRequest(core: Core, loaded: LoadedAction, viewer: Actor): ActionRequest {
  const { row } = loaded;
  const now = core.now();
  const status = effectiveStatus(row, now) as ActionStatus;
  // A condition that failed closed is said to have, not shown as if it had been true.
  const failure = row.matchedCondition === null ? undefined : matchedFailure(row, row.matchedCondition);
  const view: ActionRequest = {
    id: row.id,
    status,
    action: row.action,
    ...(row.resource !== null && { resource: row.resource }),
    ...(row.environment !== null && { environment: row.environment }),
    ...(row.params !== null && { params: row.params }),
    ...(row.justification !== null && { justification: row.justification }),
    source: row.source as ActionSource,
    context: row.context,
    requester: { id: row.requesterId, ...(row.requesterOwner !== null && { owner: row.requesterOwner }) },
    digest: row.digest,
    rule: { name: row.ruleName, effect: row.ruleEffect as 'allow' | 'deny' | 'review' },
    matched: {
      rule: row.ruleName,
      ...(row.matchedCondition !== null && { condition: row.matchedCondition }),
      ...(failure !== undefined && { error: failure }),
    },
    ...(isRisk(row.risk) && { risk: row.risk }),
    ...(row.amendedAt !== null &&
      row.amendedBy !== null &&
      row.originalDigest !== null && {
        amended: {
          params: row.params ?? {},
          digest: row.digest,
          by: row.amendedBy,
          at: new Date(row.amendedAt).toISOString(),
          original: {
            ...(row.originalParams !== null && { params: row.originalParams }),
            digest: row.originalDigest,
          },
        },
      }),
    ...((row.stepUp === 'mfa' || row.stepUp === 'passkey') && { stepUp: row.stepUp }),
    policyVersion: row.policyVersion,
    approvals: { required: row.requiredApprovals, received: row.receivedApprovals },
    approvers: row.approvers,
    ...(row.channel !== null && { channel: row.channel }),
    // Said by the server, which knows its transports, so a client never claims a post that was not made.
    ...(row.ruleEffect === 'review' && {
      notified: core.sinks.flatMap((sink) => sink.notifies?.(row.channel, row.teamsChannel) ?? []),
    }),
    reviews: loaded.reviews.map((r) => ({
      reviewer: r.reviewer,
      decision: r.decision as 'approve' | 'deny',
      ...(r.comment !== null && { comment: r.comment }),
      via: r.via as 'api' | 'slack' | 'extension' | 'cli' | 'teams',
      at: new Date(r.at).toISOString(),
      ...(r.discountedAt !== null && {
        discounted: { at: new Date(r.discountedAt).toISOString(), reason: r.discountedReason ?? '' },
      }),
      ...(r.stepUp !== null && { stepUp: { ...r.stepUp, at: new Date(r.stepUp.at).toISOString() } }),
    })),
    ...(row.breakGlassNotify !== null &&
      row.breakGlassReviewMs !== null && { breakGlass: breakGlassOf(row) }),
    ...(loaded.standing !== undefined && {
      standing: {
        id: loaded.standing.id,
        by: loaded.standing.approvedBy,
        action: loaded.standing.action,
        ...(loaded.standing.resource !== null && { resource: loaded.standing.resource }),
        ...(loaded.standing.environment !== null && { environment: loaded.standing.environment }),
        until: new Date(loaded.standing.expiresAt).toISOString(),
        usesLeft: loaded.standing.usesLeft,
        ...(loaded.standing.revokedAt !== null && {
          revoked: {
            by: loaded.standing.revokedBy ?? '',
            at: new Date(loaded.standing.revokedAt).toISOString(),
          },
        }),
        role: loaded.standing.fromActionId === row.id ? ('created' as const) : ('used' as const),
      },
    }),
    ...(loaded.comments !== undefined &&
      loaded.comments.length > 0 && {
        comments: loaded.comments.map((c) => ({
          author: c.author,
          role: c.role === 'reviewer' ? ('reviewer' as const) : ('requester' as const),
          comment: c.body,
          at: new Date(c.at).toISOString(),
        })),
      }),
    ...(row.reason !== null && { reason: row.reason }),
    createdAt: new Date(row.createdAt).toISOString(),
    ...(row.expiresAt !== null && { expiresAt: iso(row.expiresAt) }),
    ...(row.decidedAt !== null && { decidedAt: iso(row.decidedAt) }),
  };
  if (status === 'expired' && row.status === 'pending' && row.expiresAt !== null)
    view.decidedAt = iso(row.expiresAt);
  const granted = grantView(core, loaded, viewer, status, now);
  if (granted) view.grant = granted;
  return view;
}

/** The grant as the API shows it: to its requester alone, while the request is granted and it is unused. */
export function grantView(
  core: Core,
  loaded: LoadedAction,
  viewer: Actor,
  status: ActionStatus,
  now: number,
): ActionRequest['grant'] {
  const { row, grant } = loaded;
  const usable = grant && grant.redeemedAt === null && grant.expiresAt > now;
  if (!usable || viewer.id !== row.requesterId || (status !== 'approved' && status !== 'allowed'))
    return undefined;
  return { token: tokenOf(core.secret, grant), expiresAt: new Date(grant.expiresAt).toISOString() };
}
