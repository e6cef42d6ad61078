import type { ActionRequest, SubmitActionInput } from '@countersign/shared';
import { and, eq } from 'drizzle-orm';
import { canonicalJson } from '../../audit/chain';
import type { AuditInput } from '../../audit/emit';
import { type Actor, hasScope } from '../../context';
import { actions } from '../../db/schema';
import { hotOf } from '../../db/write-queue';
import { DomainError, forbidden, invalid } from '../../errors';
import { newId } from '../../ids';
import { callbackHostAllowed } from '../../webhooks/callback-hosts';
import type { Ctx } from '../core';
import { issueGrant } from '../grants/issue-grant';
import { digestOf, sha256Hex } from '../grants/tokens';
import { assertOwnerActive } from '../identity/owner-active';
import { record } from '../outbox/record';
import { auditedRequest } from './audited-request';
import { decideSubmission } from './decide-submission';
import { type ActionRow, type LoadedAction, loadAction } from './rows';
import { standingUsedEvents, takeStanding } from './standing-approvals';
import { grantView, toActionRequest } from './view';

export type SubmitResult = { request: ActionRequest; replayed: boolean };

function requesterOf(actor: Actor): { id: string; owner: string | null } {
  switch (actor.kind) {
    case 'agent':
      return { id: actor.id, owner: actor.owner };
    case 'person':
      return { id: actor.id, owner: null };
    case 'system':
      throw forbidden('the system does not submit actions');
  }
}

/** Submits one action: the policy decides at once (allow, deny) or holds it for review. */
export async function submitAction({
  ctx,
  input,
  idempotencyKey,
}: {
  ctx: Ctx;
  input: SubmitActionInput;
  idempotencyKey?: string | undefined;
}): Promise<SubmitResult> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'actions:write')) throw forbidden('submitting actions needs the actions:write scope');
  await assertOwnerActive(core, actor);
  const requester = requesterOf(actor);
  if (input.callbackUrl !== undefined && !callbackHostAllowed(core.callbackHosts, input.callbackUrl)) {
    throw invalid(
      'callbackUrl points at a host this server may not call; an operator allows hosts with COUNTERSIGN_WEBHOOK_HOSTS',
      [{ path: 'callbackUrl', message: 'host not allowed' }],
    );
  }
  const { policy, version } = core.policy.current;
  const environment = input.environment;
  // Before the policy: an undeclared spelling (`prdo`, `production`) matches no rule that names the
  // environment, so it would land in a weaker rule instead.
  if (environment !== undefined && policy.environments) {
    const lower = environment.toLowerCase();
    if (!policy.environments.some((declared) => declared.toLowerCase() === lower)) {
      const allowed = policy.environments.join(', ');
      throw invalid(`environment "${environment}" is not declared by the policy; use one of: ${allowed}`, [
        { path: 'environment', message: `not declared by the policy; allowed: ${allowed}` },
      ]);
    }
  }
  const decision = decideSubmission(core, policy, input, {
    ...requester,
    kind: actor.kind === 'agent' ? 'agent' : 'person',
    email: actor.kind === 'person' ? actor.email : null,
  });
  const digest = digestOf(input);
  const requestHash = idempotencyKey === undefined ? null : sha256Hex(canonicalJson(input));

  const outcome = await core.writes.run(async (tx) => {
    // A local file's writer runs the hot statements prepared once; a remote database runs drizzle.
    const hot = hotOf(tx);
    if (idempotencyKey !== undefined) {
      const existing = hot
        ? hot.findIdempotent(requester.id, idempotencyKey)
        : (
            await tx
              .select({ id: actions.id, requestHash: actions.requestHash })
              .from(actions)
              .where(and(eq(actions.requesterId, requester.id), eq(actions.idempotencyKey, idempotencyKey)))
              .limit(1)
          )[0];
      if (existing) {
        if (existing.requestHash !== requestHash) return { kind: 'mismatch' as const };
        return { kind: 'replay' as const, id: existing.id };
      }
    }
    const now = core.now();
    const id = newId('act');
    const status =
      decision.effect === 'allow' ? 'allowed' : decision.effect === 'deny' ? 'blocked' : 'pending';
    const review = decision.effect === 'review' ? decision : undefined;
    // A live standing approval of the same action for this requester approves it at once (issue 16).
    // One whose grounds are gone (giver deactivated or out of the groups, the rule changed) lapses there.
    // A request the rule holds only because its condition failed (fail closed) is not the case anyone
    // approved in advance: it is for a human, and no standing approval is taken for it.
    const standing =
      review && review.conditionFailed === undefined
        ? await takeStanding(core, tx, now, {
            id,
            action: input.action,
            resource: input.resource,
            environment: input.environment,
            requesterId: requester.id,
            requesterOwner: requester.owner,
            rule: decision.rule,
            inForce: review,
          })
        : undefined;
    const row: ActionRow = {
      id,
      status,
      action: input.action,
      resource: input.resource ?? null,
      environment: input.environment ?? null,
      params: input.params ?? null,
      justification: input.justification ?? null,
      source: input.source ?? 'api',
      context: input.context ?? {},
      requesterId: requester.id,
      requesterOwner: requester.owner,
      keyId: 'keyId' in actor ? actor.keyId : null,
      digest,
      ruleName: decision.rule,
      ruleEffect: decision.effect,
      policyVersion: version,
      approvers: review?.approvers ?? [],
      requiredApprovals: review?.minApprovals ?? 0,
      receivedApprovals: 0,
      channel: review?.channel ?? null,
      teamsChannel: review?.teams ?? null,
      matchedCondition: decision.condition ?? null,
      risk: decision.risk ?? null,
      stepUp: decision.effect === 'review' ? (decision.stepUp ?? null) : null,
      amendAllowed: decision.amend === false ? 0 : 1,
      originalParams: null,
      originalDigest: null,
      amendedBy: null,
      amendedAt: null,
      breakGlassNotify: decision.breakGlass?.notify ?? null,
      breakGlassReviewMs: decision.breakGlass?.reviewWithinMs ?? null,
      breakGlassReason: null,
      breakGlassBy: null,
      breakGlassAt: null,
      followUpStatus: null,
      followUpBy: null,
      followUpAt: null,
      followUpComment: null,
      standingMaxMs: decision.effect === 'review' ? (decision.standing?.maxMs ?? null) : null,
      standingUses: decision.effect === 'review' ? (decision.standing?.uses ?? null) : null,
      standingId: null,
      reason: decision.effect === 'deny' ? decision.reason : null,
      grantTtlMs: decision.effect === 'deny' ? 0 : decision.grantTtlMs,
      callbackUrl: input.callbackUrl ?? null,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
      createdAt: now,
      expiresAt: review ? now + review.timeoutMs : null,
      decidedAt: status === 'pending' ? null : now,
    };
    if (standing) Object.assign(row, { status: 'approved', decidedAt: now, standingId: standing.id });
    if (hot) hot.insertAction(row);
    else await tx.insert(actions).values(row);
    const type =
      status === 'allowed' ? 'action.allowed' : status === 'blocked' ? 'action.blocked' : 'action.submitted';
    const created: LoadedAction = { row, reviews: [], grant: undefined, ...(standing && { standing }) };
    // The API's view, built once: the event records it as it stands at this commit, and the answer
    // below adds only the grant, which the event must never hold (auditedRequest drops it anyway).
    const view = toActionRequest(core, created, actor);
    const events: AuditInput[] = [
      { type, actor: actor.id, subject: id, data: auditedRequest(view, row.callbackUrl) },
    ];
    if (standing) events.push(...standingUsedEvents(row, standing));
    const issued =
      status === 'allowed' || standing
        ? await issueGrant(core, tx, now, row, standing ? standing.approvedBy : 'system:server')
        : undefined;
    if (issued) events.push(issued.event);
    await record(core, tx, now, events);
    return { kind: 'created' as const, view, loaded: { ...created, grant: issued?.grant } };
  });

  if (outcome.kind === 'mismatch') {
    throw new DomainError(
      'idempotency_mismatch',
      'this Idempotency-Key was already used with a different request body',
    );
  }
  if (outcome.kind === 'created') {
    core.events.changed(outcome.loaded.row.id);
    // Built from what was just committed: no read-back on the hot path.
    const { view, loaded } = outcome;
    const grant = grantView(core, loaded, actor, view.status, core.now());
    return { request: grant ? { ...view, grant } : view, replayed: false };
  }
  const loaded = await loadAction(core.database.db, outcome.id);
  if (!loaded) throw new Error(`request ${outcome.id} vanished after commit`);
  return { request: toActionRequest(core, loaded, actor), replayed: true };
}
