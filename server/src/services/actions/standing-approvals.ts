import type { ReviewInput } from '@countersign/shared';
import { compileGlobs, formatDuration, globError, parseDuration } from '@countersign/shared/policy';
import { and, eq, gt, isNull, type SQL } from 'drizzle-orm';
import type { AuditInput } from '../../audit/emit';
import type { Actor } from '../../context';
import type { Tx } from '../../db/client';
import { actions, standingApprovals } from '../../db/schema';
import { invalid } from '../../errors';
import { newId } from '../../ids';
import type { Core } from '../core';
import { record } from '../outbox/record';
import { isEligibleApprover, isRequesterSide } from './access';
import { type ActionRow, loadAction } from './rows';
import { lapseStanding, type RuleInForce, standingGround } from './standing-ground';

/**
 * Standing approvals (issue 16): a reviewer approves "this and the same again" — the same action, for
 * the same requester, on this resource or a narrower pattern the reviewer wrote (and so saw in full),
 * for at most the rule's `standing.max` and `standing.uses`. Exact digest binding stays the default:
 * only a rule with `standing` allows it, and its limits were copied to the request at submission.
 * Each later request it covers is approved at once with a grant of its own and `standing.used`.
 */

export type StandingRow = typeof standingApprovals.$inferSelect;
type StandingInput = NonNullable<ReviewInput['standing']>;

/** Refuses, with the field at fault, a standing approval this request's rule does not allow. */
export function checkStanding(
  row: ActionRow,
  standing: StandingInput,
): { forMs: number; resource: string | null } {
  const path = (p: string) => `standing.${p}`;
  if (row.standingMaxMs === null || row.standingUses === null) {
    throw invalid(`rule ${row.ruleName} does not allow standing approvals: approve this request alone`, [
      { path: 'standing', message: 'not allowed by the rule' },
    ]);
  }
  const forMs = parseDuration(standing.for);
  if (forMs === undefined || forMs <= 0 || forMs > row.standingMaxMs) {
    throw invalid(`a standing approval lasts at most the rule's ${formatDuration(row.standingMaxMs)}`, [
      { path: path('for'), message: 'longer than the rule allows' },
    ]);
  }
  if (standing.uses > row.standingUses) {
    throw invalid(`a standing approval covers at most the rule's ${row.standingUses} uses`, [
      { path: path('uses'), message: 'more than the rule allows' },
    ]);
  }
  if (row.requiredApprovals > 1) {
    // One reviewer cannot stand in for a quorum of several on every later request.
    throw invalid('a rule that needs several approvals does not take standing approvals', [
      { path: 'standing', message: 'the rule needs more than one approval' },
    ]);
  }
  const resource = standing.resource ?? row.resource;
  if (standing.resource !== undefined) {
    const error = globError('path', standing.resource);
    if (error) throw invalid(`standing.resource: ${error}`, [{ path: path('resource'), message: error }]);
    // `**` or `*/x` would cover every resource, not "a narrower pattern" of this one (adversarial trial).
    const first = standing.resource.split('/')[0] ?? '';
    if (first === '' || /[*?{[]/.test(first)) {
      const message = 'a standing approval’s pattern must start with a literal segment, e.g. reports/eu/*';
      throw invalid(`standing.resource: ${message}`, [{ path: path('resource'), message }]);
    }
    if (row.resource === null || !compileGlobs('path', [standing.resource], false)(row.resource)) {
      throw invalid(
        'standing.resource must cover this request’s own resource (a narrower pattern, not another)',
        [{ path: path('resource'), message: 'does not match this request’s resource' }],
      );
    }
  }
  return { forMs, resource };
}

/** Creates the standing approval once the approval it came with decided the request. */
export async function createStanding(
  tx: Tx,
  at: number,
  row: ActionRow,
  actor: Actor,
  checked: { forMs: number; resource: string | null },
  uses: number,
): Promise<AuditInput> {
  const standing: StandingRow = {
    id: newId('sta'),
    action: row.action,
    resource: checked.resource,
    // "The same again" is the same environment: a staging approval never covers prod (adversarial trial).
    environment: row.environment,
    requesterId: row.requesterId,
    ruleName: row.ruleName,
    approvers: row.approvers,
    approvedBy: actor.id,
    fromActionId: row.id,
    createdAt: at,
    expiresAt: at + checked.forMs,
    usesLeft: uses,
    revokedAt: null,
    revokedBy: null,
  };
  await tx.insert(standingApprovals).values(standing);
  await tx.update(actions).set({ standingId: standing.id }).where(eq(actions.id, row.id));
  return {
    type: 'standing.created',
    actor: actor.id,
    subject: row.id,
    data: {
      standing: standing.id,
      action: standing.action,
      resource: standing.resource,
      requester: standing.requesterId,
      until: standing.expiresAt,
      uses,
    },
  };
}

/**
 * Takes one use of a live standing approval covering this new request, if there is one: same
 * requester, action, rule and environment, its resource pattern matching, not expired, not revoked, uses left,
 * and its grounds intact now (standing-ground.ts). One whose grounds are gone lapses here, audited,
 * and the request is held like any other. The decrement is conditional, so two requests cannot
 * share the last use.
 */
export async function takeStanding(
  core: Core,
  tx: Tx,
  at: number,
  request: {
    id: string;
    action: string;
    resource: string | undefined;
    environment: string | undefined;
    requesterId: string;
    requesterOwner: string | null;
    rule: string;
    inForce: RuleInForce;
  },
): Promise<StandingRow | undefined> {
  const live = await tx
    .select()
    .from(standingApprovals)
    .where(
      and(
        eq(standingApprovals.requesterId, request.requesterId),
        eq(standingApprovals.action, request.action),
        eq(standingApprovals.ruleName, request.rule),
        // Null-safe: one given without an environment covers only requests without one, and rows from
        // before migration 0024 (null) likewise — stricter than before, never wider.
        request.environment === undefined
          ? isNull(standingApprovals.environment)
          : eq(standingApprovals.environment, request.environment),
        liveStanding(at),
      ),
    );
  const resource = request.resource;
  const covering = live.filter((s) =>
    s.resource === null
      ? resource === undefined
      : resource !== undefined && compileGlobs('path', [s.resource], false)(resource),
  );
  const lapsed: AuditInput[] = [];
  let usable: StandingRow | undefined;
  for (const s of covering) {
    const ground = await standingGround(core, tx, s, request.inForce, request.requesterOwner);
    if (ground.ok === true) {
      usable = s;
      break;
    }
    if (ground.ok === false) {
      const gone = await lapseStanding(tx, at, s, ground.reason);
      if (gone) lapsed.push(gone.event);
    }
  }
  if (lapsed.length > 0) await record(core, tx, at, lapsed);
  if (!usable) return undefined;
  const [taken] = await tx
    .update(standingApprovals)
    .set({ usesLeft: usable.usesLeft - 1 })
    .where(
      and(
        eq(standingApprovals.id, usable.id),
        eq(standingApprovals.usesLeft, usable.usesLeft),
        isNull(standingApprovals.revokedAt),
      ),
    )
    .returning();
  return taken;
}

/** A standing approval still live at `at`: not past its time, uses left, not revoked (nor lapsed). */
export function liveStanding(at: number): SQL | undefined {
  return and(
    gt(standingApprovals.expiresAt, at),
    gt(standingApprovals.usesLeft, 0),
    isNull(standingApprovals.revokedAt),
  );
}

/** The standing approval's terms, checked before the review's transaction (they never change). */
export async function standingTerms(
  core: Core,
  actor: Actor,
  id: string,
  standing: StandingInput,
): Promise<{ forMs: number; resource: string | null } | undefined> {
  const loaded = await loadAction(core.database.db, id);
  // Whoever may not review it is refused in the transaction, without learning the rule's terms here.
  if (!loaded || !isEligibleApprover(core, actor, loaded.row) || isRequesterSide(actor, loaded.row))
    return undefined;
  return checkStanding(loaded.row, standing);
}

export function standingUsedEvents(row: ActionRow, standing: StandingRow): AuditInput[] {
  return [
    {
      type: 'standing.used',
      actor: standing.approvedBy,
      subject: row.id,
      data: {
        standing: standing.id,
        action: row.action,
        resource: row.resource,
        usesLeft: standing.usesLeft,
      },
    },
    {
      type: 'action.approved',
      actor: standing.approvedBy,
      subject: row.id,
      data: { action: row.action, approvals: 0, via: 'standing', standing: standing.id },
    },
  ];
}
