import type { StandingApproval } from '@countersign/shared';
import { and, eq, isNull } from 'drizzle-orm';
import { hasScope } from '../../context';
import { standingApprovals } from '../../db/schema';
import { DomainError, notFound } from '../../errors';
import type { Ctx } from '../core';
import { record } from '../outbox/record';
import { approverEmails } from './access';
import { standingView } from './list-standing';

/** Any approver of its groups revokes a standing approval: no later request is approved by it. */
export async function revokeStanding({ ctx, id }: { ctx: Ctx; id: string }): Promise<StandingApproval> {
  const { core, actor } = ctx;
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const [standing] = await tx.select().from(standingApprovals).where(eq(standingApprovals.id, id)).limit(1);
    const approver =
      standing !== undefined &&
      actor.kind === 'person' &&
      hasScope(actor, 'reviews:write') &&
      approverEmails(core, standing.approvers).includes(actor.email);
    if (!standing || !approver) return { refused: 'not_found' as const };
    const [revoked] = await tx
      .update(standingApprovals)
      .set({ revokedAt: at, revokedBy: actor.id })
      .where(and(eq(standingApprovals.id, id), isNull(standingApprovals.revokedAt)))
      .returning();
    if (!revoked) return { refused: 'not_pending' as const };
    await record(core, tx, at, [
      {
        type: 'standing.revoked',
        actor: actor.id,
        subject: standing.fromActionId,
        data: { standing: id, action: standing.action, usesLeft: standing.usesLeft },
      },
    ]);
    return { revoked };
  });
  if ('refused' in outcome) {
    if (outcome.refused === 'not_found') throw notFound(`standing approval ${id}`);
    throw new DomainError('not_pending', 'This standing approval was already revoked.');
  }
  return standingView(outcome.revoked);
}
