import { hasScope } from '../../context';
import { forbidden, invalid, notFound } from '../../errors';
import type { Ctx } from '../core';
import { isDeprovisioned } from '../identity/deprovisioned';
import { usableEmail } from '../identity/usable-email';
import { moveAgentOwner } from './move-agent-owner';

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
  const moved = await core.writes.run((tx) =>
    moveAgentOwner(core, tx, core.now(), { actor: actor.id, name, owner }),
  );
  if (moved === undefined) throw notFound(`agent ${name}`);
  // For the change feed once committed: queues and open consoles show the moved requests afresh.
  for (const id of moved.movedIds) core.events.changed(id);
  return { name, owner, previousOwner: moved.previousOwner };
}
