import type { ActionRequest, ErrorCode, ReviewInput, ReviewVia } from '@countersign/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { AuditInput } from '../../audit/emit';
import type { Actor } from '../../context';
import { actions, reviews } from '../../db/schema';
import { DomainError, invalid, notFound } from '../../errors';
import { newId } from '../../ids';
import type { Ctx } from '../core';
import { issueGrant } from '../grants/issue-grant';
import { record } from '../outbox/record';
import { consumeStepUp, stepUpRefusal } from '../step-up/consume-step-up';
import { AMEND_REFUSALS, amendPolicyRefusal, amendRefusal, applyAmendment } from './amend-action';
import { askQuestion } from './ask-question';
import { expireIfDue } from './expire-actions';
import { decideRefusal } from './may-decide';
import { discountIneligible } from './recheck-quorum';
import { effectiveStatus, loadAction } from './rows';
import { staleVersion } from './seen-version';
import { createStanding, standingTerms } from './standing-approvals';
import { toActionRequest } from './view';

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  self_approval: 'No one may review their own request, nor a request of an agent they own.',
  not_an_approver: 'Only members of the approver groups of this request may review it.',
  not_pending: 'This request has already been decided.',
  already_reviewed: 'You have already reviewed this request; each person counts once.',
  expired: 'This request expired before it was decided.',
  forbidden: 'Reviewing needs a person acting with the reviews:write scope.',
  identity_unusable: 'The identity provider has deactivated your account; you can no longer review.',
  step_up_required: 'This approval needs a fresh step-up (MFA or a passkey) in the console.',
  standing_not_allowed:
    'This request needs a step-up for each approval, so no standing approval may stand in for later ones: approve it alone.',
  ...AMEND_REFUSALS,
};

// Where an attempt came from, for the audit trail; an agent's (refused) attempt comes over the API.
const viaOf = (actor: Actor): ReviewVia => (actor.kind === 'person' ? actor.via : 'api');

/**
 * One person's approve or deny. Every check and the decision happen in one transaction, and the
 * decision itself is a conditional write on `status = 'pending'`: of any number of racing reviews,
 * exactly one decides. Refused attempts are audited in that same transaction.
 *
 * An approval under a step-up rule counts only with `stepUp`, the id of a step-up this person
 * verified for this request within the last five minutes and never used (consumed here, once).
 * Only the console can produce one; every other transport is told where to finish it.
 */
export async function reviewAction({
  ctx,
  id,
  input,
  stepUp,
}: {
  ctx: Ctx;
  id: string;
  input: ReviewInput;
  stepUp?: string | undefined;
}): Promise<ActionRequest> {
  const { core, actor } = ctx;
  // A question is not a decision: its own verb, whichever transport carried it.
  if (input.decision === 'ask') return askQuestion({ ctx, id, comment: input.comment?.trim() ?? '' });
  const standing = input.standing ? await standingTerms(core, actor, id, input.standing) : undefined;
  const comment = input.comment?.trim();
  if (input.decision === 'deny' && !comment) {
    throw invalid('a deny needs a comment saying why', [
      { path: 'comment', message: 'required when denying' },
    ]);
  }
  const via = viaOf(actor);
  let needed: 'mfa' | 'passkey' | undefined;

  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const loaded = await loadAction(tx, id);
    if (!loaded) return { refused: 'not_found' as const };
    const { row } = loaded;
    const status = effectiveStatus(row, at);
    // Overdue but not yet swept: mark it now, in this transaction, so listeners hear of it.
    if (status === 'expired' && row.status === 'pending')
      await expireIfDue(core, tx, at, id, 'system:server');
    const refuse = async (code: ErrorCode, extra?: Record<string, unknown>) => {
      const data = { action: row.action, code, decision: input.decision, via, ...extra };
      await record(core, tx, at, [{ type: 'review.refused', actor: actor.id, subject: id, data }]);
      return { refused: code };
    };
    // Every refusal is audited, the scope one included: an agent trying its own request is news.
    // One function for who may decide, so the console offers buttons by the very checks made here.
    // Read in this transaction, not from a snapshot: a click a moment after deactivation is refused.
    const refused = await decideRefusal(core, tx, actor, loaded, at);
    if (refused) return refuse(refused);
    // Approvals from people a reload took out of the groups stop counting before this one is added.
    await discountIneligible(core, tx, at, loaded, 'system:server');
    // A decision on a version of the request that is no longer current counts for nothing.
    const stale = staleVersion(row, input.digest);
    if (stale)
      return {
        ...(await refuse('request_changed', { digest: input.digest, current: row.digest })),
        held: stale,
      };
    const amendRefused = amendRefusal(row, input.amend);
    if (amendRefused) return refuse(amendRefused);
    // The amended action is decided again: only the rule this request is under, or an allow, may take it.
    const held = input.amend ? amendPolicyRefusal(core, row, input.amend.params) : undefined;
    if (held) return { ...(await refuse('amend_not_allowed', { rule: held.rule })), held };
    const method = row.stepUp === 'mfa' || row.stepUp === 'passkey' ? row.stepUp : undefined;
    // A standing approval would let later requests through with no step-up at all. `policy check`
    // refuses `standing` beside a step-up; this holds for requests under a policy loaded before that.
    if (input.standing && method) return refuse('standing_not_allowed');
    // Last of the checks, so a proof is spent only by an approval that is otherwise certain to count.
    const proof =
      input.decision === 'approve' && method && actor.kind === 'person'
        ? await consumeStepUp(tx, at, { id: stepUp, person: actor.email, actionId: id, method })
        : undefined;
    if (proof && 'refused' in proof) {
      needed = method;
      return refuse('step_up_required');
    }
    const evidence = proof?.evidence;
    // The grant binds to what is approved: the amended action when the reviewer amended it.
    const target = input.amend ? await applyAmendment(core, tx, at, row, actor, input.amend.params) : row;
    if (!target) return refuse('not_pending');

    await tx.insert(reviews).values({
      id: newId('rev'),
      actionId: id,
      reviewer: actor.id,
      decision: input.decision,
      comment: comment ?? null,
      via,
      at,
      stepUp: evidence ?? null,
    });
    const decided = await tx
      .update(actions)
      .set(
        input.decision === 'deny'
          ? { status: 'denied', decidedAt: at, reason: comment ?? null }
          : {
              receivedApprovals: sql`${actions.receivedApprovals} + 1`,
              status: sql`CASE WHEN ${actions.receivedApprovals} + 1 >= ${actions.requiredApprovals} THEN 'approved' ELSE 'pending' END`,
              decidedAt: sql`CASE WHEN ${actions.receivedApprovals} + 1 >= ${actions.requiredApprovals} THEN ${at} ELSE NULL END`,
            },
      )
      .where(and(eq(actions.id, id), eq(actions.status, 'pending')))
      .returning({ status: actions.status, received: actions.receivedApprovals });
    const after = decided[0];
    // Unreachable while this process is the only writer; across nodes it is the race's loser.
    if (!after) throw new DomainError('not_pending', REFUSALS.not_pending ?? 'not pending');
    const events: AuditInput[] = [
      {
        type: 'review.recorded',
        actor: actor.id,
        subject: id,
        data: {
          action: row.action,
          decision: input.decision,
          comment: comment ?? null,
          via,
          ...(evidence && { stepUp: evidence }),
        },
      },
    ];
    if (after.status === 'denied') {
      events.push({
        type: 'action.denied',
        actor: actor.id,
        subject: id,
        data: { action: row.action, reason: comment ?? null, via },
      });
    } else if (after.status === 'approved') {
      events.push({
        type: 'action.approved',
        actor: actor.id,
        subject: id,
        data: { action: row.action, approvals: after.received, via },
      });
    }
    if (after.status === 'approved') events.push((await issueGrant(core, tx, at, target, actor.id)).event);
    if (after.status === 'approved' && standing && input.standing)
      events.push(await createStanding(tx, at, target, actor, standing, input.standing.uses));
    await record(core, tx, at, events);
    return { refused: undefined, decided: after.status !== 'pending' };
  });

  // A refusal changes no state but is news too (audited, and threaded in Slack): wake the listeners.
  // A decision is said to be one (`settled`), so a waiting long-poll answers without first re-reading
  // the request to find out: one read fewer between the approve's commit and the waiter's answer.
  if (outcome.refused !== 'not_found') core.events.changed(id, 'decided' in outcome && outcome.decided);
  if (outcome.refused === 'not_found') throw notFound(`action request ${id}`);
  if (outcome.refused) {
    core.log.warn({ actionId: id, reviewer: actor.id, code: outcome.refused }, 'review refused');
    if (outcome.refused === 'step_up_required') throw stepUpRefusal(core, id, needed);
    // An amendment the policy would not take, or a decision on a version since amended: the message says which.
    if ('held' in outcome && outcome.held)
      throw new DomainError(outcome.refused, outcome.held.message, outcome.held.details);
    throw new DomainError(outcome.refused, REFUSALS[outcome.refused] ?? outcome.refused);
  }
  const loaded = await loadAction(core.database.db, id);
  if (!loaded) throw notFound(`action request ${id}`);
  return toActionRequest(core, loaded, actor);
}
