import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { scimGroupMembers, scimGroups, scimUsers } from '../../db/schema';
import type { Core } from '../core';

type Snapshot = { groups: Map<string, readonly string[]>; names: string[]; inactive: Set<string> };

/**
 * The identity provider's groups (`idp:"SRE On-Call"` in the policy) and the people it deactivated,
 * as last read from the database. Like the Slack group directory, the policy's sync evaluation reads
 * this snapshot; it is re-read after every SCIM change on this node and every few seconds for changes
 * made through another node. The instant paths (keys, reviews) ask the database themselves.
 */
export class IdpDirectory {
  #snapshot: Snapshot = { groups: new Map(), names: [], inactive: new Set() };

  /** Active members' emails; a group not provisioned (yet) has none, so it approves nothing. */
  emailsOf(group: string): readonly string[] {
    return this.#snapshot.groups.get(group.toLowerCase()) ?? [];
  }

  isInactive(email: string): boolean {
    return this.#snapshot.inactive.has(email);
  }

  groupNames(): readonly string[] {
    return this.#snapshot.names;
  }

  replace(snapshot: Snapshot): void {
    this.#snapshot = snapshot;
  }
}

export async function readIdpSnapshot(db: Queryable): Promise<Snapshot> {
  const groups = await db.select({ id: scimGroups.id, name: scimGroups.displayName }).from(scimGroups);
  const members = await db
    .select({ groupId: scimGroupMembers.groupId, email: scimUsers.email })
    .from(scimGroupMembers)
    .innerJoin(scimUsers, eq(scimUsers.id, scimGroupMembers.userId))
    .where(and(eq(scimUsers.active, true), isNull(scimUsers.deletedAt)));
  const users = await db
    .select({ email: scimUsers.email, active: scimUsers.active, deletedAt: scimUsers.deletedAt })
    .from(scimUsers);
  const live = new Set(users.filter((u) => u.active && u.deletedAt === null).map((u) => u.email));
  const inactive = new Set(users.map((u) => u.email).filter((email) => !live.has(email)));
  const byGroup = new Map<string, string[]>();
  for (const m of members) byGroup.set(m.groupId, [...(byGroup.get(m.groupId) ?? []), m.email]);
  return {
    groups: new Map(groups.map((g) => [g.name.toLowerCase(), byGroup.get(g.id) ?? []])),
    names: groups.map((g) => g.name),
    inactive,
  };
}

export async function refreshIdpDirectory(core: Core): Promise<void> {
  core.idp.replace(await readIdpSnapshot(core.database.db));
}

/** Re-reads the snapshot every `everyMs`, for changes another node made; returns the stop function. */
export function startIdpRefresh(core: Core, everyMs = 5_000): () => void {
  const timer = setInterval(() => {
    refreshIdpDirectory(core).catch((error: unknown) =>
      core.log.warn({ err: error }, 'could not re-read the identity provider groups'),
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
