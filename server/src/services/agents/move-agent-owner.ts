import { and, eq, or } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { actions, agents, standingApprovals } from '../../db/schema';
import { DomainError } from '../../errors';
import { discountIneligible } from '../actions/recheck-quorum';
import { loadAction } from '../actions/rows';
import { liveStanding } from '../actions/standing-approvals';
import { lapseStanding } from '../actions/standing-ground';
import type { Core } from '../core';
import { record } from '../outbox/record';

export type AgentMoved = { previousOwner: string; movedIds: string[] };

/**
 * Gives agent `name` the owner `owner` inside the caller's transaction, with all that follows from
 * it: the one place that does, for `agents reassign` and for the identity provider renaming a person.
 * Answers undefined when there is no such agent. The caller announces `movedIds` once committed.
 */
export async function moveAgentOwner(
  core: Core,
  tx: Tx,
  at: number,
  move: { actor: string; name: string; owner: string; reason?: string },
): Promise<AgentMoved | undefined> {
  const { actor, name, owner } = move;
  const [before] = await tx.select({ owner: agents.owner }).from(agents).where(eq(agents.name, name));
  if (!before) return undefined;
  // Conditional on the owner read: two racing reassignments cannot both claim the old owner.
  const [row] = await tx
    .update(agents)
    .set({ owner })
    .where(and(eq(agents.name, name), eq(agents.owner, before.owner)))
    .returning({ name: agents.name });
  if (!row) throw new DomainError('not_pending', `agent ${name} was reassigned meanwhile; try again`);
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
  await appendAudit(tx, at, [
    {
      type: 'agent.reassigned',
      actor,
      subject: `agent:${name}`,
      data: {
        owner,
        previousOwner: before.owner,
        openRequestsMoved: moved.length,
        ...(move.reason !== undefined && { reason: move.reason }),
      },
    },
  ]);
  // An approval the new owner already gave one of them would now be their own: it stops counting.
  for (const { id, status } of moved) {
    if (status !== 'pending') continue;
    const loaded = await loadAction(tx, id);
    if (loaded)
      await discountIneligible(core, tx, at, loaded, actor, {
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
  return { previousOwner: before.owner, movedIds: moved.map((m) => m.id) };
}
