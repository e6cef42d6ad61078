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
