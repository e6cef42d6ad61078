import { notFound } from '../../errors';
import type { Ctx } from '../core';
import { approverEmails, canSee, isRequesterHuman } from './access';
import { loadAction } from './rows';

/**
 * Who may approve request `id` under the policy in force: the approver groups' members (Slack and
 * IdP groups included, the deactivated left out), less the requester's side — the requester and the
 * requesting agent's owner — whom review-action refuses whichever group lists them. Decided here so
 * every surface that says "eligible" (the console's request page) says what the core enforces.
 */
export async function eligibleApprovers({ ctx, id }: { ctx: Ctx; id: string }): Promise<string[]> {
  const { core, actor } = ctx;
  const found = await loadAction(core.database.db, id);
  if (!found || !canSee(core, actor, found.row)) throw notFound(`action request ${id}`);
  const { row } = found;
  return approverEmails(core, row.approvers).filter(
    (email) => !isRequesterHuman(email, row.requesterId, row.requesterOwner),
  );
}
