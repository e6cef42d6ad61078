import type { Actor } from '../../context';
import { DomainError } from '../../errors';
import type { Core } from '../core';
import { isDeprovisioned } from './deprovisioned';

/**
 * Refuses an agent whose owner the identity provider deactivated or deleted: nobody answers for what
 * it does until an admin gives it a new owner (`countersign agents reassign`). Other actors pass.
 */
export async function assertOwnerActive(core: Core, actor: Actor): Promise<void> {
  if (actor.kind !== 'agent') return;
  // Read with the key when the key was looked up on a local file (one statement, db/local.ts): the
  // same moment as reading it here, microseconds earlier and outside any transaction as well.
  const local = core.database.local;
  const gone =
    actor.ownerGone ??
    (local ? local.reads.isDeprovisioned(actor.owner) : await isDeprovisioned(core.database.db, actor.owner));
  if (!gone) return;
  throw new DomainError(
    'owner_inactive',
    `the owner of agent ${actor.name} (${actor.owner}) was deactivated by the identity provider; an admin must reassign the agent (countersign agents reassign ${actor.name} --owner EMAIL)`,
    [{ path: 'owner', message: 'deactivated by the identity provider' }],
  );
}
