import type { Actor } from '../../context';
import type { Queryable } from '../../db/client';
import { notFound } from '../../errors';
import type { Core, Ctx } from '../core';
import { canSee, reviewerRefusal } from './access';
import { effectiveStatus, type LoadedAction, loadAction } from './rows';

/** Why someone may not approve or deny a request now, in review-action's codes. */
export type DecideRefusal =
  | 'self_approval'
  | 'forbidden'
  | 'identity_unusable'
  | 'not_an_approver'
  | 'expired'
  | 'not_pending'
  | 'already_reviewed';

/**
 * The checks review-action refuses an approve or deny by, in its order: never the requester's side,
 * a person with reviews:write the identity provider still vouches for, in the request's approver
 * groups under the policy in force, while it is pending, and once per person. Undefined when the
 * actor may decide. Review-action calls it inside its transaction; `mayDecide` reads it for a page.
 */
export async function decideRefusal(
  core: Core,
  db: Queryable,
  actor: Actor,
  loaded: LoadedAction,
  at: number,
): Promise<DecideRefusal | undefined> {
  const who = await reviewerRefusal(core, db, actor, loaded.row);
  if (who) return who;
  const status = effectiveStatus(loaded.row, at);
  if (status === 'expired') return 'expired';
  if (status !== 'pending') return 'not_pending';
  // Only the actor's own approvals matter here, and an eligible reviewer's are never discounted for
  // eligibility, so this reads the same before or after review-action's discountIneligible.
  if (loaded.reviews.some((r) => r.discountedAt === null && r.reviewer === actor.id))
    return 'already_reviewed';
  return undefined;
}

/** What the actor may do on a request as a reviewer now, by the core's own checks. */
export type DecisionRights = {
  /** Why an approve or deny would be refused (and with it amending and standing), or undefined. */
  decide: DecideRefusal | undefined;
  /** Why asking the requester or a break-glass follow-up would be refused as to who, or undefined. */
  review: Awaited<ReturnType<typeof reviewerRefusal>>;
};

/**
 * Whether the actor may decide request `id` now, and why not: what a surface offers buttons by, so
 * it offers exactly what review-action would take. Only an offer: the verbs check again when used.
 * A request the actor may not see is not found, as get-action says.
 */
export async function mayDecide({ ctx, id }: { ctx: Ctx; id: string }): Promise<DecisionRights> {
  const { core, actor } = ctx;
  const loaded = await loadAction(core.database.db, id);
  if (!loaded || !canSee(core, actor, loaded.row)) throw notFound(`action request ${id}`);
  const db = core.database.db;
  return {
    decide: await decideRefusal(core, db, actor, loaded, core.now()),
    review: await reviewerRefusal(core, db, actor, loaded.row),
  };
}
