import { asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { actionComments, actions, grants, reviews, standingApprovals } from '../../db/schema';

export type ActionRow = typeof actions.$inferSelect;
export type ReviewRow = typeof reviews.$inferSelect;
export type GrantRow = typeof grants.$inferSelect;
export type CommentRow = typeof actionComments.$inferSelect;
export type LoadedAction = {
  row: ActionRow;
  reviews: ReviewRow[];
  grant: GrantRow | undefined;
  /** Questions and answers (issue 16); absent where a request was just created and has none. */
  comments?: CommentRow[];
  /** The standing approval it created or was approved by (issue 16). */
  standing?: typeof standingApprovals.$inferSelect;
};

function queriesFor(db: Queryable) {
  const id = sql.placeholder('id');
  return {
    action: db.select().from(actions).where(eq(actions.id, id)).limit(1),
    reviews: db.select().from(reviews).where(eq(reviews.actionId, id)).orderBy(asc(reviews.at)),
    grant: db.select().from(grants).where(eq(grants.actionId, id)).limit(1),
    comments: db
      .select()
      .from(actionComments)
      .where(eq(actionComments.actionId, id))
      .orderBy(asc(actionComments.at), asc(actionComments.id)),
  };
}

// Reads outside a transaction (every GET, every long-poll wake-up) reuse prepared queries; building
// a drizzle query costs more than running it on SQLite.
const prepared = new WeakMap<Queryable, ReturnType<typeof prepare>>();
function prepare(db: Queryable) {
  const q = queriesFor(db);
  return {
    action: q.action.prepare(),
    reviews: q.reviews.prepare(),
    grant: q.grant.prepare(),
    comments: q.comments.prepare(),
  };
}
const isTransaction = (db: Queryable): boolean => 'rollback' in db;

export async function loadAction(db: Queryable, id: string): Promise<LoadedAction | undefined> {
  // A transaction is short-lived and has its own connection: prepare for it alone.
  let exec = isTransaction(db) ? prepare(db) : prepared.get(db);
  if (!exec) {
    exec = prepare(db);
    prepared.set(db, exec);
  }
  const [row] = await exec.action.execute({ id });
  if (!row) return undefined;
  const [reviewRows, grantRows, commentRows] = await Promise.all([
    exec.reviews.execute({ id }),
    exec.grant.execute({ id }),
    exec.comments.execute({ id }),
  ]);
  const loaded: LoadedAction = { row, reviews: reviewRows, grant: grantRows[0], comments: commentRows };
  // Only a request with a standing approval pays for this read.
  if (row.standingId !== null) {
    const [standing] = await db
      .select()
      .from(standingApprovals)
      .where(eq(standingApprovals.id, row.standingId))
      .limit(1);
    if (standing) loaded.standing = standing;
  }
  return loaded;
}

/** A pending request past its deadline is expired, whether or not the sweeper has marked it yet. */
export function effectiveStatus(row: ActionRow, now: number): string {
  if (row.status === 'pending' && row.expiresAt !== null && row.expiresAt <= now) return 'expired';
  return row.status;
}

/** Why a verb that needs a pending request cannot act on this one now, or undefined when it is pending. */
export function notPending(row: ActionRow, now: number): 'expired' | 'not_pending' | undefined {
  const status = effectiveStatus(row, now);
  if (status === 'expired') return 'expired';
  return status === 'pending' ? undefined : 'not_pending';
}
