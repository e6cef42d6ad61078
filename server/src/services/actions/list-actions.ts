import type { ActionList, ActionStatus } from '@countersign/shared';
import { and, asc, desc, eq, gt, inArray, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { hasScope, humanOf } from '../../context';
import { actionComments, actions, grants, reviews, standingApprovals } from '../../db/schema';
import { invalid } from '../../errors';
import type { Ctx } from '../core';
import { approverEntriesOf } from './access';
import { toActionRequest } from './view';

export type ListInput = {
  status?: ActionStatus | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
};

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url');
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!/^act_[0-9A-Z]{26}$/.test(id))
    throw invalid('cursor is not one this server issued', [{ path: 'cursor', message: 'invalid' }]);
  return id;
}

/** Who sees what: auditors everything; requesters their own (owners their agents'); approvers what they may review. */
function visibility(ctx: Ctx): SQL | undefined {
  const { core, actor } = ctx;
  if (hasScope(actor, 'audit:read')) return undefined;
  const clauses: SQL[] = [eq(actions.requesterId, actor.id)];
  const human = actor.kind === 'person' ? humanOf(actor) : undefined;
  if (human) clauses.push(eq(actions.requesterOwner, human));
  if (human && hasScope(actor, 'reviews:write')) {
    const mine = approverEntriesOf(core, human);
    if (mine.length > 0) {
      clauses.push(
        sql`EXISTS (SELECT 1 FROM json_each(${actions.approvers}) WHERE json_each.value IN ${mine})`,
      );
    }
  }
  return or(...clauses);
}

function statusFilter(status: ActionStatus | undefined, now: number): SQL | undefined {
  // Filter on the status a reader would see: an overdue pending request is expired.
  if (status === undefined) return undefined;
  if (status === 'pending') return and(eq(actions.status, 'pending'), gt(actions.expiresAt, now));
  if (status === 'expired') {
    return or(eq(actions.status, 'expired'), and(eq(actions.status, 'pending'), lte(actions.expiresAt, now)));
  }
  return eq(actions.status, status);
}

export async function listActions({ ctx, input }: { ctx: Ctx; input: ListInput }): Promise<ActionList> {
  const { core, actor } = ctx;
  const db = core.database.db;
  const limit = input.limit ?? 50;
  const rows = await db
    .select()
    .from(actions)
    .where(
      and(
        visibility(ctx),
        statusFilter(input.status, core.now()),
        input.cursor ? lt(actions.id, decodeCursor(input.cursor)) : undefined,
      ),
    )
    .orderBy(desc(actions.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const ids = page.map((r) => r.id);
  // A list item is the same ActionRequest GET /v1/actions/{id} answers (the contract's words), so it
  // carries the page's comments and standing approvals too: one read each for the whole page.
  const standingIds = page.flatMap((r) => (r.standingId === null ? [] : [r.standingId]));
  const [reviewRows, grantRows, commentRows, standingRows] =
    ids.length === 0
      ? [[], [], [], []]
      : await Promise.all([
          db.select().from(reviews).where(inArray(reviews.actionId, ids)).orderBy(reviews.at),
          db.select().from(grants).where(inArray(grants.actionId, ids)),
          db
            .select()
            .from(actionComments)
            .where(inArray(actionComments.actionId, ids))
            .orderBy(asc(actionComments.at), asc(actionComments.id)),
          standingIds.length === 0
            ? []
            : db.select().from(standingApprovals).where(inArray(standingApprovals.id, standingIds)),
        ]);
  const items = page.map((row) => {
    const standing = standingRows.find((s) => s.id === row.standingId);
    return toActionRequest(
      core,
      {
        row,
        reviews: reviewRows.filter((r) => r.actionId === row.id),
        grant: grantRows.find((g) => g.actionId === row.id),
        comments: commentRows.filter((c) => c.actionId === row.id),
        ...(standing && { standing }),
      },
      actor,
    );
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
