import { and, eq, or } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { actions, agents, standingApprovals } from '../../db/schema';
import { DomainError, forbidden, invalid, notFound } from '../../errors';
import { discountIneligible } from '../actions/recheck-quorum';
import { loadAction } from '../actions/rows';
import { liveStanding } from '../actions/standing-approvals';
import { lapseStanding } from '../actions/standing-ground';
import type { Ctx } from '../core';
import { isDeprovisioned } from '../identity/deprovisioned';
import { usableEmail } from '../identity/usable-email';
import { record } from '../outbox/record';

/**
 * Gives an agent a new owner: the way back for an agent whose owner left (403 owner_inactive until
 * then). The new owner answers for it from now on and may never approve its requests — including
 * those already open: the requester side of each moves with the agent, in the same transaction.
 */
export async function reassignAgent({
  ctx,
  name,
  owner: given,
}: {
  ctx: Ctx;
  name: string;
  owner: string;
}): Promise<{ name: string; owner: string; previousOwner: string }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('reassigning an agent needs the admin scope');
  const owner = usableEmail(given, 'owner');
  if (await isDeprovisioned(core.database.db, owner))
    throw invalid(`${owner} was deactivated by the identity provider; choose an active owner`, [
      { path: 'owner', message: 'deactivated by the identity provider' },
    ]);
  // For the change feed once committed: queues and open consoles show the moved requests afresh.
  let movedIds: string[] = [];
  const previousOwner = await core.writes.run(async (tx) => {
    const [before] = await tx.select({ owner: agents.owner }).from(agents).where(eq(agents.name, name));
    if (!before) return undefined;
    // Conditional on the owner read: two racing reassignments cannot both claim the old owner.
    const [row] = await tx
      .update(agents)
      .set({ owner })
      .where(and(eq(agents.name, name), eq(agents.owner, before.owner)))
      .returning({ name: agents.name });
    if (!row) throw new DomainError('not_pending', `agent ${name} was reassigned meanwhile; try again`);
    const at = core.now();
    // Every check on the requester side (self-approval, break-glass, follow-up, who sees it) reads
    // `requester_owner` from the row, so moving it here is what makes the new owner count as the
    // requester of the open requests and the former owner not. Decided requests keep theirs: history.
    const moved = await tx
      .update(actions)
      .set({ requesterOwner: owner })
      .where(
        and(
          eq(actions.requesterId, `agent:${name}`),
          or(eq(actions.status, 'pending'), eq(actions.followUpStatus, 'open')),
        ),
      )
      .returning({ id: actions.id, status: actions.status });
    movedIds = moved.map((m) => m.id);
    await appendAudit(tx, at, [
      {
        type: 'agent.reassigned',
        actor: actor.id,
        subject: `agent:${name}`,
        data: { owner, previousOwner: before.owner, openRequestsMoved: moved.length },
      },
    ]);
    // An approval the new owner already gave one of them would now be their own: it stops counting.
    for (const { id, status } of moved) {
      if (status !== 'pending') continue;
      const loaded = await loadAction(tx, id);
      if (loaded)
        await discountIneligible(core, tx, at, loaded, actor.id, {
          person: owner,
          reason: 'now owns the requesting agent',
          evenIfEligible: true,
        });
    }
    // The new owner now counts as the agent's requester: a standing approval they gave its requests
    // would be their own approval. Lapsed here, at once (use time checks it too), so no queue shows it.
    const given = await tx
      .select()
      .from(standingApprovals)
      .where(
        and(
          eq(standingApprovals.requesterId, `agent:${name}`),
          eq(standingApprovals.approvedBy, `user:${owner}`),
          liveStanding(at),
        ),
      );
    const lapsed = [];
    for (const s of given) {
      const gone = await lapseStanding(
        tx,
        at,
        s,
        `${owner} now owns the requester (agent ${name}): a standing approval of their own`,
      );
      if (gone) lapsed.push(gone.event);
    }
    if (lapsed.length > 0) await record(core, tx, at, lapsed);
    return before.owner;
  });
  if (previousOwner === undefined) throw notFound(`agent ${name}`);
  for (const id of movedIds) core.events.changed(id);
  return { name, owner, previousOwner };
}
