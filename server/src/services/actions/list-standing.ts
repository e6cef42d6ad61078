import type { StandingApproval } from '@countersign/shared';
import { desc } from 'drizzle-orm';
import { standingApprovals } from '../../db/schema';
import type { Ctx } from '../core';
import { approverEmails } from './access';
import { liveStanding, type StandingRow } from './standing-approvals';

export function standingView(s: StandingRow): StandingApproval {
  return {
    id: s.id,
    action: s.action,
    ...(s.resource !== null && { resource: s.resource }),
    ...(s.environment !== null && { environment: s.environment }),
    requester: s.requesterId,
    rule: s.ruleName,
    by: s.approvedBy,
    createdAt: new Date(s.createdAt).toISOString(),
    until: new Date(s.expiresAt).toISOString(),
    usesLeft: s.usesLeft,
    fromRequest: s.fromActionId,
    ...(s.revokedAt !== null && {
      revoked: { by: s.revokedBy ?? '', at: new Date(s.revokedAt).toISOString() },
    }),
  };
}

/**
 * The live standing approvals the caller may see: an approver those of their groups (shown in queues
 * while live, revocable by any of them), a requester their own.
 */
export async function listStanding({ ctx }: { ctx: Ctx }): Promise<StandingApproval[]> {
  const { core, actor } = ctx;
  const now = core.now();
  const live = await core.database.db
    .select()
    .from(standingApprovals)
    .where(liveStanding(now))
    .orderBy(desc(standingApprovals.createdAt))
    .limit(500);
  return live
    .filter(
      (s) =>
        s.requesterId === actor.id ||
        (actor.kind === 'person' && approverEmails(core, s.approvers).includes(actor.email)),
    )
    .map(standingView);
}
