import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { actions, grants, reviews } from '../../db/schema';

export type ActionRow = typeof actions.$inferSelect;
export type ReviewRow = typeof reviews.$inferSelect;
export type GrantRow = typeof grants.$inferSelect;
export type LoadedAction = { row: ActionRow; reviews: ReviewRow[]; grant: GrantRow | undefined };

export async function loadAction(db: Queryable, id: string): Promise<LoadedAction | undefined> {
  const [row] = await db.select().from(actions).where(eq(actions.id, id)).limit(1);
  if (!row) return undefined;
  const [reviewRows, grantRows] = await Promise.all([
    db.select().from(reviews).where(eq(reviews.actionId, id)).orderBy(asc(reviews.at)),
    db.select().from(grants).where(eq(grants.actionId, id)).limit(1),
  ]);
  return { row, reviews: reviewRows, grant: grantRows[0] };
}

/** A pending request past its deadline is expired, whether or not the sweeper has marked it yet. */
export function effectiveStatus(row: ActionRow, now: number): string {
  if (row.status === 'pending' && row.expiresAt !== null && row.expiresAt <= now) return 'expired';
  return row.status;
}
