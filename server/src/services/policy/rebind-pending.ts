import type { Decision } from '@countersign/shared/policy';
import { and, eq } from 'drizzle-orm';
import type { AuditInput } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { actions } from '../../db/schema';
import { decideStored } from '../actions/decide-submission';
import { discountIneligible } from '../actions/recheck-quorum';
import { type ActionRow, effectiveStatus, loadAction } from '../actions/rows';
import type { Core } from '../core';
import { record } from '../outbox/record';

/** What a pending request's rule bound it to: the terms a reload may change. */
export type Terms = {
  rule: string;
  effect: string;
  approvers: string[];
  minApprovals: number;
  stepUp: string | null;
  risk: string | null;
  condition: string | null;
  amend: boolean;
  breakGlass: { notify: string[]; reviewWithinMs: number } | null;
  standing: { maxMs: number; uses: number | null } | null;
  grantTtlMs: number;
  expiresAt: number | null;
};

export type Rebound = { id: string; outcome: 'blocked' | 'rebound' };

function termsOf(row: ActionRow): Terms {
  return {
    rule: row.ruleName,
    effect: row.ruleEffect,
    approvers: row.approvers,
    minApprovals: row.requiredApprovals,
    stepUp: row.stepUp,
    risk: row.risk,
    condition: row.matchedCondition,
    amend: row.amendAllowed !== 0,
    breakGlass:
      row.breakGlassNotify !== null && row.breakGlassReviewMs !== null
        ? { notify: row.breakGlassNotify, reviewWithinMs: row.breakGlassReviewMs }
        : null,
    standing: row.standingMaxMs !== null ? { maxMs: row.standingMaxMs, uses: row.standingUses } : null,
    grantTtlMs: row.grantTtlMs,
    expiresAt: row.expiresAt,
  };
}

/** The new rule's terms for a request it holds for review, as submission would have written them. */
function reviewTerms(row: ActionRow, decision: Decision & { effect: 'review' }): Terms {
  return {
    rule: decision.rule,
    effect: 'review',
    approvers: decision.approvers,
    minApprovals: decision.minApprovals,
    stepUp: decision.stepUp ?? null,
    risk: decision.risk ?? null,
    condition: decision.condition ?? null,
    amend: decision.amend !== false,
    breakGlass: decision.breakGlass
      ? { notify: decision.breakGlass.notify, reviewWithinMs: decision.breakGlass.reviewWithinMs }
      : null,
    standing: decision.standing
      ? { maxMs: decision.standing.maxMs, uses: decision.standing.uses ?? null }
      : null,
    grantTtlMs: decision.grantTtlMs,
    // A shorter timeout takes effect from the submission; a longer one does not extend a wait
    // the requester was already given a deadline for.
    expiresAt:
      row.expiresAt === null
        ? row.createdAt + decision.timeoutMs
        : Math.min(row.expiresAt, row.createdAt + decision.timeoutMs),
  };
}

const same = (a: Terms, b: Terms): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Holds every pending request to the policy now in force (`core.policy.current`), inside the caller's
 * transaction: the one that records the new policy, so no review is counted between the two.
 * - `deny`: the request is blocked with the new rule's reason.
 * - `review` (a rule's condition that failed holds it for review too): it is re-bound to the new
 *   rule's terms — approver groups, quorum, step-up, risk, break-glass, standing, amend, grant TTL,
 *   a shorter timeout. Nothing is approved here even if the approvals received now meet the new
 *   quorum: that takes a person reviewing on the new terms.
 * - `allow`: left pending on its old terms. Approving it here would issue a grant no one reviewed.
 * Then approvals from people the request's (new) groups no longer hold are discounted.
 */
export async function rebindPending(
  core: Core,
  tx: Tx,
  at: number,
  actor: string,
  previousVersion: string | undefined,
): Promise<Rebound[]> {
  const { version } = core.policy.current;
  const pending = await tx.select({ id: actions.id }).from(actions).where(eq(actions.status, 'pending'));
  const changed: Rebound[] = [];
  for (const { id } of pending) {
    const loaded = await loadAction(tx, id);
    // Past its deadline it is expired already, whatever the sweeper has written.
    if (!loaded || effectiveStatus(loaded.row, at) !== 'pending') continue;
    const { row } = loaded;
    const before = termsOf(row);
    const decision = decideStored(core, row);
    const reload = { from: previousVersion ?? null, to: version };
    if (decision.effect === 'deny') {
      const reason = `${decision.reason} (denied by policy ${version} after a reload)`;
      const [blocked] = await tx
        .update(actions)
        .set({
          status: 'blocked',
          ruleName: decision.rule,
          ruleEffect: 'deny',
          policyVersion: version,
          matchedCondition: decision.condition ?? null,
          risk: decision.risk ?? null,
          reason,
          decidedAt: at,
        })
        .where(and(eq(actions.id, id), eq(actions.status, 'pending')))
        .returning({ id: actions.id });
      if (!blocked) continue;
      const after = { ...before, rule: decision.rule, effect: 'deny' };
      const events: AuditInput[] = [
        // The same event as a submission the policy blocks, so `type=action.blocked` finds them all.
        {
          type: 'action.blocked',
          actor,
          subject: id,
          data: { action: row.action, rule: decision.rule, reason, reload },
        },
        // The event the chat sinks take: the card loses its buttons and the requester is told.
        {
          type: 'action.rebound',
          actor,
          subject: id,
          data: { action: row.action, status: 'blocked', reload, before, after },
        },
      ];
      await record(core, tx, at, events);
      changed.push({ id, outcome: 'blocked' });
      continue;
    }
    if (decision.effect === 'review') {
      const after = reviewTerms(row, decision);
      if (!same(before, after)) {
        await tx
          .update(actions)
          .set({
            ruleName: after.rule,
            ruleEffect: 'review',
            policyVersion: version,
            approvers: after.approvers,
            requiredApprovals: after.minApprovals,
            stepUp: after.stepUp,
            risk: after.risk,
            matchedCondition: after.condition,
            amendAllowed: after.amend ? 1 : 0,
            breakGlassNotify: after.breakGlass?.notify ?? null,
            breakGlassReviewMs: after.breakGlass?.reviewWithinMs ?? null,
            standingMaxMs: after.standing?.maxMs ?? null,
            standingUses: after.standing?.uses ?? null,
            grantTtlMs: after.grantTtlMs,
            expiresAt: after.expiresAt,
          })
          .where(and(eq(actions.id, id), eq(actions.status, 'pending')));
        await record(core, tx, at, [
          {
            type: 'action.rebound',
            actor,
            subject: id,
            data: { action: row.action, status: 'pending', reload, before, after },
          },
        ]);
        changed.push({ id, outcome: 'rebound' });
        // No approval counts on terms it was not given under: one made without the step-up the rule
        // now asks for, or any approval of an amended request whose rule no longer allows amending.
        const stepUpNow = after.stepUp !== null && after.stepUp !== before.stepUp ? after.stepUp : undefined;
        const amendOff = !after.amend && row.amendedBy !== null;
        const rebound = stepUpNow !== undefined || amendOff ? await loadAction(tx, id) : undefined;
        if (rebound)
          await discountIneligible(core, tx, at, rebound, actor, {
            evenIfEligible: true,
            reason: amendOff
              ? 'the policy no longer allows amending this request, which was amended'
              : `the policy now asks a ${stepUpNow} step-up for this request; this approval was not made with one`,
            unless: (review) => !amendOff && review.stepUp?.method === stepUpNow,
          });
      }
    }
    // `allow` lands here unchanged. Under new groups (or old ones whose members moved), approvals
    // from people outside them stop counting; re-read so the discount sees the request's groups now.
    const current = await loadAction(tx, id);
    const gone = current ? await discountIneligible(core, tx, at, current, actor) : [];
    if (gone.length > 0 && !changed.some((c) => c.id === id)) changed.push({ id, outcome: 'rebound' });
  }
  return changed;
}
