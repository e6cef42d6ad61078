import type { ActionRequest } from '@countersign/shared';
import { and, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import { humanOf } from '../../context';
import { actions, reviews } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';
import { approverEntriesOf, isRequesterSide } from './access';
import { loadAction } from './rows';
import { toActionRequest } from './view';

export type ReviewQueue = {
  reviewable: ActionRequest[];
  mine: ActionRequest[];
  decided: ActionRequest[];
  /** Break-glass approvals of their groups still waiting for a sign-off or a flag (issue 16). */
  followUps: ActionRequest[];
  /**
   * Those closed (signed off or flagged) in the last day, latest first: the App Home shows who closed
   * each where its buttons were, so an approver who saw it open sees what became of it.
   */
  closedFollowUps: ActionRequest[];
};

const RECENT = 12;
const CLOSED_SHOWN_MS = 24 * 60 * 60 * 1000;
const CLOSED_SHOWN = 5;

/**
 * A person's on-call queue: pending requests they may decide now, nearest expiry first; requests they
 * raised (or their agents did); and their own recent decisions.
 */
export async function reviewQueue({ ctx }: { ctx: Ctx }): Promise<ReviewQueue> {
  const { core, actor } = ctx;
  const email = actor.kind === 'person' ? humanOf(actor) : undefined;
  if (!email) throw forbidden('only a person has a review queue');
  const db = core.database.db;
  const now = core.now();
  const groups = approverEntriesOf(core, email);
  const load = async (ids: string[]) => {
    const loaded = await Promise.all(ids.map((id) => loadAction(db, id)));
    return loaded.flatMap((l) => (l ? [toActionRequest(core, l, actor)] : []));
  };

  // A request is in the queue when one of its approver groups is one of the reviewer's.
  const inGroups = sql`EXISTS (SELECT 1 FROM json_each(${actions.approvers}) WHERE json_each.value IN ${groups})`;
  const pending =
    groups.length === 0
      ? []
      : await db
          .select()
          .from(actions)
          .where(and(eq(actions.status, 'pending'), gt(actions.expiresAt, now), inGroups))
          .orderBy(actions.expiresAt)
          .limit(200);
  const openFollowUps =
    groups.length === 0
      ? []
      : await db
          .select()
          .from(actions)
          .where(and(eq(actions.followUpStatus, 'open'), inGroups))
          .orderBy(actions.breakGlassAt)
          .limit(200);
  const closedFollowUps =
    groups.length === 0
      ? []
      : await db
          .select()
          .from(actions)
          .where(
            and(
              inArray(actions.followUpStatus, ['signed_off', 'flagged']),
              gt(actions.followUpAt, now - CLOSED_SHOWN_MS),
              inGroups,
            ),
          )
          .orderBy(desc(actions.followUpAt))
          .limit(CLOSED_SHOWN * 4);
  const reviewed = await db
    .select({ actionId: reviews.actionId })
    .from(reviews)
    .where(eq(reviews.reviewer, actor.id));
  const already = new Set(reviewed.map((r) => r.actionId));
  const reviewable = pending.filter((row) => !isRequesterSide(actor, row) && !already.has(row.id));

  const mine = await db
    .select({ id: actions.id })
    .from(actions)
    .where(or(eq(actions.requesterId, `user:${email}`), eq(actions.requesterOwner, email)))
    .orderBy(desc(actions.id))
    .limit(RECENT);
  const decidedIds = [...already].sort().reverse().slice(0, RECENT);
  const decided =
    decidedIds.length === 0
      ? []
      : await db
          .select({ id: actions.id })
          .from(actions)
          .where(inArray(actions.id, decidedIds))
          .orderBy(desc(actions.id));
  return {
    reviewable: await load(reviewable.map((r) => r.id)),
    mine: await load(mine.map((r) => r.id)),
    decided: await load(decided.map((r) => r.id)),
    followUps: await load(openFollowUps.filter((row) => !isRequesterSide(actor, row)).map((r) => r.id)),
    closedFollowUps: await load(
      closedFollowUps
        .filter((row) => !isRequesterSide(actor, row))
        .slice(0, CLOSED_SHOWN)
        .map((r) => r.id),
    ),
  };
}
