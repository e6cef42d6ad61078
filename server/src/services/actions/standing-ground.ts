import { formatDuration, groupSlackHandles, type RuleOutcome } from '@countersign/shared/policy';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client';
import { actions, standingApprovals } from '../../db/schema';
import type { Core } from '../core';
import { isDeprovisioned } from '../identity/deprovisioned';
import { approverEmails, isRequesterHuman } from './access';
import type { StandingRow } from './standing-approvals';

/**
 * Whether a standing approval still has its grounds (issue 16). It was given by one person under one
 * rule for one requester; it may approve a later request only while, now, the giver is active and an
 * approver of that rule as the policy in force has it, the giver is not on the requester's side (an
 * agent reassigned to its giver would approve itself), and the rule still takes standing approvals
 * on terms at least as wide as this one's. Otherwise the request is held like any other and the
 * standing approval lapses.
 */

/** The rule a standing approval was given under, as the policy in force has it; undefined: gone. */
export type RuleInForce = Pick<RuleOutcome, 'effect' | 'standing' | 'stepUp' | 'risk'> & {
  approvers?: readonly string[];
  minApprovals?: number;
};

export type Ground = { ok: true } | { ok: false; reason: string } | { ok: 'unknown' };

const emailOf = (id: string): string | undefined => (id.startsWith('user:') ? id.slice(5) : undefined);

/** The rule named `name` in the policy in force (`default` is the default outcome), if any. */
export function ruleNamed(core: Core, name: string): RuleInForce | undefined {
  const { policy } = core.policy.current;
  if (name === 'default') return policy.default;
  return policy.rules.find((rule) => rule.name === name);
}

export async function standingGround(
  core: Core,
  db: Queryable,
  s: StandingRow,
  rule: RuleInForce | undefined,
  requesterOwner: string | null,
): Promise<Ground> {
  const giver = emailOf(s.approvedBy);
  if (giver === undefined) return { ok: false, reason: 'its giver is not a person' };
  if (s.requesterId === s.approvedBy || isRequesterHuman(giver, s.requesterId, requesterOwner))
    return { ok: false, reason: `${giver} now owns the requester: a standing approval of their own` };
  if (core.idp.isInactive(giver) || (await isDeprovisioned(db, giver)))
    return { ok: false, reason: `${giver} was deactivated by the identity provider` };
  if (rule?.effect !== 'review')
    return { ok: false, reason: `rule ${s.ruleName} no longer holds this action for review` };
  if (!rule.standing) return { ok: false, reason: `rule ${s.ruleName} no longer allows standing approvals` };
  if ((rule.minApprovals ?? 1) > 1)
    return { ok: false, reason: `rule ${s.ruleName} now needs more than one approval` };
  const stepUp = rule.stepUp ?? (rule.risk === 'critical' ? 'mfa' : 'none');
  if (stepUp !== 'none') return { ok: false, reason: `rule ${s.ruleName} now asks for a step-up` };
  const { maxMs, uses } = rule.standing;
  if (s.expiresAt - s.createdAt > maxMs)
    return {
      ok: false,
      reason: `rule ${s.ruleName} now limits standing approvals to ${formatDuration(maxMs)}`,
    };
  if ((await usesGiven(db, s)) > uses)
    return { ok: false, reason: `rule ${s.ruleName} now limits standing approvals to ${uses} uses` };
  // Until the bot has resolved a Slack user group its members are unknown, not gone: hold the request
  // (fail closed) without taking back what may still stand.
  const handles = groupSlackHandles(core.policy.current.policy, rule.approvers ?? []);
  const eligible = approverEmails(core, rule.approvers ?? []).includes(giver);
  if (!eligible && handles.some((handle) => !core.directory.isResolved(handle))) return { ok: 'unknown' };
  if (!eligible) return { ok: false, reason: `${giver} is no longer an approver of rule ${s.ruleName}` };
  return { ok: true };
}

/** The uses it was given with: those left, and the requests it approved since (its own excepted). */
async function usesGiven(db: Queryable, s: StandingRow): Promise<number> {
  const [row] = await db
    .select({ used: sql<number>`count(*)` })
    .from(actions)
    .where(and(eq(actions.standingId, s.id), ne(actions.id, s.fromActionId)));
  return s.usesLeft + Number(row?.used ?? 0);
}

/**
 * Revokes a standing approval whose grounds are gone, by the system, with the reason, in the
 * caller's transaction; undefined when someone revoked it first.
 */
export async function lapseStanding(tx: Tx, at: number, s: StandingRow, reason: string) {
  const [revoked] = await tx
    .update(standingApprovals)
    .set({ revokedAt: at, revokedBy: 'system:server' })
    .where(and(eq(standingApprovals.id, s.id), isNull(standingApprovals.revokedAt)))
    .returning();
  if (!revoked) return undefined;
  return {
    revoked,
    event: {
      type: 'standing.revoked' as const,
      actor: 'system:server',
      subject: s.fromActionId,
      data: { standing: s.id, action: s.action, usesLeft: s.usesLeft, by: 'system', reason },
    },
  };
}
