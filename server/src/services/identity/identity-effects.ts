import { type AuditInput, appendAudit } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { recheckQuorum } from '../actions/recheck-quorum';
import type { Core } from '../core';
import { endSessionsOf } from '../sessions/end-sessions';
import { refreshIdpDirectory } from './idp-directory';
import type { ScimCaller } from './scim-refusal';

const SERVER = { kind: 'system', id: 'system:server' } as const;

/**
 * What follows a committed SCIM change, on this node at once: the group snapshot re-read, then the
 * quorum of pending requests re-checked for each person whose standing changed (a deactivated person,
 * a member removed from a group), so approvals that no longer count stop counting and are audited
 * with the SCIM request id; a deactivated person's console sessions end.
 */
export async function afterIdentityChange(
  core: Core,
  caller: ScimCaller,
  change: { recheck: readonly string[]; deprovisioned: readonly string[] },
): Promise<void> {
  await refreshIdpDirectory(core);
  const ctx = { core, actor: SERVER };
  for (const person of new Set(change.recheck)) {
    const gone = change.deprovisioned.includes(person);
    const reason = gone
      ? `deactivated by the identity provider (SCIM request ${caller.requestId})`
      : `no longer in the approver groups of this request (SCIM request ${caller.requestId})`;
    await recheckQuorum({ ctx, person, reason });
  }
  for (const person of new Set(change.deprovisioned))
    await endSessionsOf({ ctx, person, reason: 'deprovisioned' });
}

/** One SCIM write: what it leaves, the audit events it owes, and whose standing it changed. */
export type IdentityWrite<Row> = {
  row: Row;
  events: AuditInput[];
  recheck: string[];
  deprovisioned?: string[];
  /** Requests the write changed beyond the review count (a rename moved their requester side). */
  changed?: string[];
};

/**
 * Runs a SCIM write and its audit in one transaction, then what follows it (afterIdentityChange),
 * and answers the row written: Users and Groups commit the same way.
 */
export async function commitIdentityChange<Row>(
  core: Core,
  caller: ScimCaller,
  write: (tx: Tx, at: number) => Promise<IdentityWrite<Row>>,
): Promise<Row> {
  const written = await core.writes.run(async (tx) => {
    const at = core.now();
    const result = await write(tx, at);
    await appendAudit(tx, at, result.events);
    return result;
  });
  for (const id of written.changed ?? []) core.events.changed(id);
  await afterIdentityChange(core, caller, {
    recheck: written.recheck,
    deprovisioned: written.deprovisioned ?? [],
  });
  return written.row;
}
