import type { ActionRequest, BreakGlassInput, ErrorCode } from '@countersign/shared';
import { and, eq, isNotNull } from 'drizzle-orm';
import { actions } from '../../db/schema';
import { DomainError } from '../../errors';
import type { Ctx } from '../core';
import { issueGrant } from '../grants/issue-grant';
import { record } from '../outbox/record';
import { consumeStepUp, stepUpRefusal } from '../step-up/consume-step-up';
import { approverEmails, canSee, isRequesterSide } from './access';
import { loadAction, notPending } from './rows';
import { settle } from './settle';

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  forbidden: 'Only the requester, or the agent’s owner, may break the glass on a request.',
  not_pending: 'This request has already been decided.',
  expired: 'This request expired before it was decided.',
};
const NOT_ALLOWED = "This request's rule does not allow break-glass: it needs an approver's review.";

type Refusal = 'forbidden' | 'not_allowed' | 'not_pending' | 'expired' | 'step_up_required';
/** The error code each refusal answers with; `not_allowed` is a 403 like the wrong person's. */
const CODES: Record<Refusal, ErrorCode> = {
  forbidden: 'forbidden',
  not_allowed: 'forbidden',
  not_pending: 'not_pending',
  expired: 'expired',
  step_up_required: 'step_up_required',
};

/**
 * Break-glass (issue 16): when no approver can be reached, the requester (or the agent's owner)
 * approves their own request, with a reason, under a rule that says `breakGlass`. Never otherwise:
 * the terms were copied from the rule at submission, so no later policy or client can add them.
 * In one transaction the request is approved (a conditional write on pending), its grant issued, and
 * `action.break_glass` audited with the reason and the people told; chat broadcasts it to the rule's
 * channels and every approver, and a follow-up review stays open in their queues until one of them
 * signs it off or flags it.
 *
 * Under a rule that asks for a step-up (`stepUp`, or `risk: critical`), the glass breaks only for a
 * person with `stepUp`: a step-up they verified within five minutes to break *this* request's glass
 * (one made to approve does not count), spent here once. An agent's key cannot make one, so it is
 * refused with the console's step-up page for its owner, as reviews are: otherwise break-glass would
 * be a way round the step-up the rule asks of every approval.
 */
export async function breakGlass({
  ctx,
  id,
  input,
  stepUp,
}: {
  ctx: Ctx;
  id: string;
  input: BreakGlassInput;
  stepUp?: string | undefined;
}): Promise<ActionRequest> {
  const { core, actor } = ctx;
  const reason = input.reason.trim();
  // Where the attempt came from, for the audit trail; an agent's key comes over the API.
  const via = actor.kind === 'person' ? actor.via : 'api';
  let needed: 'mfa' | 'passkey' | undefined;
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const loaded = await loadAction(tx, id);
    // Unseen is only "not found": nothing about the request, not even an attempt on it, is told.
    if (!loaded || !canSee(core, actor, loaded.row)) return 'not_found' as const;
    const { row } = loaded;
    // Every refusal is audited in this transaction, as a refused review is: someone trying to
    // approve a request without its approvers is news whether or not it worked.
    const refuse = async <R extends Refusal>(refusal: R): Promise<R> => {
      const data = { action: row.action, code: CODES[refusal], why: refusal, rule: row.ruleName, via };
      await record(core, tx, at, [{ type: 'break_glass.refused', actor: actor.id, subject: id, data }]);
      return refusal;
    };
    if (!isRequesterSide(actor, row)) return refuse('forbidden');
    if (row.breakGlassNotify === null || row.breakGlassReviewMs === null) return refuse('not_allowed');
    const late = notPending(row, at);
    if (late) return refuse(late);
    // Last of the checks, so a proof is spent only by a break-glass otherwise certain to happen.
    const method = row.stepUp === 'mfa' || row.stepUp === 'passkey' ? row.stepUp : undefined;
    const proof = method
      ? actor.kind === 'person'
        ? await consumeStepUp(tx, at, {
            id: stepUp,
            person: actor.email,
            actionId: id,
            method,
            purpose: 'break_glass',
          })
        : { refused: true as const }
      : undefined;
    if (proof && 'refused' in proof) {
      needed = method;
      return refuse('step_up_required');
    }
    const evidence = proof?.evidence;
    const [approved] = await tx
      .update(actions)
      .set({
        status: 'approved',
        decidedAt: at,
        breakGlassReason: reason,
        breakGlassBy: actor.id,
        breakGlassAt: at,
        followUpStatus: 'open',
      })
      .where(and(eq(actions.id, id), eq(actions.status, 'pending'), isNotNull(actions.breakGlassReviewMs)))
      .returning();
    if (!approved) return refuse('not_pending');
    const approvers = approverEmails(core, row.approvers);
    const issued = await issueGrant(core, tx, at, approved, actor.id);
    await record(core, tx, at, [
      {
        type: 'action.break_glass',
        actor: actor.id,
        subject: id,
        data: {
          action: row.action,
          reason,
          notify: row.breakGlassNotify,
          approvers,
          followUpDueAt: at + row.breakGlassReviewMs,
          rule: row.ruleName,
          ...(evidence && { stepUp: evidence }),
        },
      },
      issued.event,
    ]);
    return undefined;
  });
  if (outcome && outcome !== 'not_found')
    core.log.warn({ actionId: id, by: actor.id, why: outcome }, 'break-glass refused');
  if (outcome === 'not_allowed') throw new DomainError('forbidden', NOT_ALLOWED);
  if (outcome === 'step_up_required') throw stepUpRefusal(core, id, needed, 'break_glass');
  const view = await settle(ctx, id, outcome, REFUSALS, true);
  core.log.warn({ actionId: id, by: actor.id }, 'break-glass: a request was approved by its own side');
  return view;
}
