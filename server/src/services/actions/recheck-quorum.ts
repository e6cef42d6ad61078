import { groupSlackHandles } from '@countersign/shared/policy';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { AuditInput } from '../../audit/emit';
import { hasScope } from '../../context';
import type { Tx } from '../../db/client';
import { actions, reviews } from '../../db/schema';
import { DomainError, forbidden } from '../../errors';
import type { Core, Ctx } from '../core';
import { record } from '../outbox/record';
import { approverEmails } from './access';
import { lapseStandingWithoutGround } from './lapse-standing';
import { effectiveStatus, type LoadedAction, loadAction, type ReviewRow } from './rows';

export const NO_LONGER_AN_APPROVER = 'no longer in the approver groups of this request';

export type Recheck = { checked: number; discounted: { actionId: string; reviewer: string }[] };

const emailOf = (reviewer: string): string | undefined =>
  reviewer.startsWith('user:') ? reviewer.slice('user:'.length) : undefined;

/**
 * Takes back the approvals of a pending request whose reviewers the policy in force no longer makes
 * approvers, inside the caller's transaction; `received` becomes the count of approvals that still
 * count. A decided request stays decided: its grant was issued on the eligibility of that moment.
 * `person` limits it to one reviewer (the identity provider deprovisioning someone); with `evenIfEligible`
 * that reviewer's approvals go whatever the groups say (they now own the requesting agent).
 */
export async function discountIneligible(
  core: Core,
  tx: Tx,
  at: number,
  loaded: LoadedAction,
  actor: string,
  options: {
    person?: string | undefined;
    reason?: string;
    evenIfEligible?: boolean;
    /** With `evenIfEligible`: an approval this says still holds is kept. */
    unless?: (review: ReviewRow) => boolean;
  } = {},
): Promise<{ reviewer: string }[]> {
  const { row } = loaded;
  if (effectiveStatus(row, at) !== 'pending') return [];
  // Until the bot has resolved a Slack user group, its members are unknown, not gone: taking back
  // their approvals then would make people approve again for nothing. New reviews from such a group
  // are refused meanwhile (fail closed), so waiting costs no safety.
  // Not for `evenIfEligible`: who owns the agent is known, whatever the groups resolve to.
  const handles = groupSlackHandles(core.policy.current.policy, row.approvers);
  if (!options.evenIfEligible && handles.some((handle) => !core.directory.isResolved(handle))) return [];
  const eligible = new Set(approverEmails(core, row.approvers));
  const gone = loaded.reviews.filter((r) => {
    if (r.decision !== 'approve' || r.discountedAt !== null) return false;
    if (options.person !== undefined && r.reviewer !== `user:${options.person}`) return false;
    if (options.evenIfEligible) return !options.unless?.(r);
    const email = emailOf(r.reviewer);
    return email === undefined || !eligible.has(email);
  });
  if (gone.length === 0) return [];
  const reason = options.reason ?? NO_LONGER_AN_APPROVER;
  const ids = gone.map((r) => r.id);
  await tx
    .update(reviews)
    .set({ discountedAt: at, discountedReason: reason })
    .where(and(inArray(reviews.id, ids), isNull(reviews.discountedAt)));
  // Counted from the rows, not decremented: the count is right however the reviews got here.
  const [after] = await tx
    .update(actions)
    .set({
      receivedApprovals: sql`(SELECT count(*) FROM ${reviews} WHERE ${reviews.actionId} = ${row.id} AND ${reviews.decision} = 'approve' AND ${reviews.discountedAt} IS NULL)`,
    })
    .where(and(eq(actions.id, row.id), eq(actions.status, 'pending')))
    .returning({ received: actions.receivedApprovals });
  // Another node decided it between our read and this write: roll back rather than rewrite history.
  if (!after) throw new DomainError('not_pending', 'This request has already been decided.');
  const events: AuditInput[] = gone.map((r) => ({
    type: 'review.discounted',
    actor,
    subject: row.id,
    data: {
      action: row.action,
      reviewer: r.reviewer,
      reason,
      policyVersion: core.policy.current.version,
      approvals: { required: row.requiredApprovals, received: after.received },
    },
  }));
  await record(core, tx, at, events);
  return gone.map((r) => ({ reviewer: r.reviewer }));
}

/**
 * Re-checks the quorum of every pending request (or, with `person`, of those that person approved)
 * against the approver groups in force now. Called after a policy reload; the identity provider calls
 * it for one person it deprovisions.
 */
export async function recheckQuorum({
  ctx,
  person,
  reason,
}: {
  ctx: Ctx;
  person?: string | undefined;
  reason?: string;
}): Promise<Recheck> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'admin')) throw forbidden('re-checking quorum needs the admin scope');
  const conditions = [
    eq(actions.status, 'pending'),
    eq(reviews.decision, 'approve'),
    isNull(reviews.discountedAt),
    ...(person === undefined ? [] : [eq(reviews.reviewer, `user:${person}`)]),
  ];
  const candidates = await core.database.db
    .selectDistinct({ id: actions.id })
    .from(actions)
    .innerJoin(reviews, eq(reviews.actionId, actions.id))
    .where(and(...conditions));
  const result: Recheck = { checked: candidates.length, discounted: [] };
  for (const { id } of candidates) {
    // One transaction per request: a request decided meanwhile rolls back alone.
    const gone = await core.writes
      .run(async (tx) => {
        const loaded = await loadAction(tx, id);
        return loaded ? discountIneligible(core, tx, core.now(), loaded, actor.id, { person, reason }) : [];
      })
      .catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'not_pending') return [];
        throw error;
      });
    if (gone.length === 0) continue;
    result.discounted.push(...gone.map((g) => ({ actionId: id, reviewer: g.reviewer })));
    core.events.changed(id);
  }
  if (result.discounted.length > 0)
    core.log.info({ discounted: result.discounted }, 'approvals that no longer count were discounted');
  // Standing approvals rest on the same grounds, and would approve later requests, not just this one.
  await lapseStandingWithoutGround(core, { person });
  return result;
}
