import type { ActionRequest } from '@countersign/shared';
import { and, eq } from 'drizzle-orm';
import { hasScope } from '../../context';
import { actions } from '../../db/schema';
import { DomainError, forbidden, notFound } from '../../errors';
import type { Ctx } from '../core';
import { record } from '../outbox/record';
import { canSee, isRequesterSide } from './access';
import { expireIfDue } from './expire-actions';
import { loadAction, notPending } from './rows';
import { toActionRequest } from './view';

/** The requester (or the agent's owner) withdraws a pending request. */
export async function cancelAction({ ctx, id }: { ctx: Ctx; id: string }): Promise<ActionRequest> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'actions:write')) throw forbidden('cancelling needs the actions:write scope');
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const loaded = await loadAction(tx, id);
    if (!loaded || !canSee(core, actor, loaded.row)) return 'not_found' as const;
    if (!isRequesterSide(actor, loaded.row)) return 'forbidden' as const;
    // Past its timeout it is expired whether or not the sweeper has marked it (rows.ts notPending);
    // overdue and unmarked, it is marked here so listeners hear of it. The contract answers a cancel
    // of anything not pending with 409, an expired request included (a review of it is 410).
    if (notPending(loaded.row, at) === 'expired') {
      await expireIfDue(core, tx, at, id, 'system:server');
      return 'expired' as const;
    }
    const cancelled = await tx
      .update(actions)
      .set({ status: 'cancelled', decidedAt: at })
      .where(and(eq(actions.id, id), eq(actions.status, 'pending')))
      .returning({ id: actions.id });
    if (cancelled.length === 0) return 'not_pending' as const;
    await record(core, tx, at, [
      { type: 'action.cancelled', actor: actor.id, subject: id, data: { action: loaded.row.action } },
    ]);
    return 'cancelled' as const;
  });
  switch (outcome) {
    case 'not_found':
      throw notFound(`action request ${id}`);
    case 'forbidden':
      throw forbidden('only the requester may cancel a request');
    case 'expired':
      core.events.changed(id);
      throw new DomainError(
        'not_pending',
        'this request expired before it was decided; only a pending request can be cancelled',
      );
    case 'not_pending':
      throw new DomainError('not_pending', 'only a pending request can be cancelled');
    case 'cancelled':
      core.events.changed(id);
  }
  const loaded = await loadAction(core.database.db, id);
  if (!loaded) throw notFound(`action request ${id}`);
  return toActionRequest(core, loaded, actor);
}
