import { asc, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { scimGroupMembers, scimGroups, scimUsers } from '../../db/schema';
import type { ScimGroupRow } from './provision-group';
import type { ScimUserRow } from './provision-user';

// A directory is people of one company: thousands, not millions. Filters run on what is read here.

/** Live users, inactive ones included (providers look them up to reactivate them), oldest first. */
export function readScimUsers(db: Queryable): Promise<ScimUserRow[]> {
  return db.select().from(scimUsers).where(isNull(scimUsers.deletedAt)).orderBy(asc(scimUsers.id));
}

export async function readScimGroups(db: Queryable): Promise<ScimGroupRow[]> {
  const groups = await db.select().from(scimGroups).orderBy(asc(scimGroups.id));
  const members = await db.select().from(scimGroupMembers);
  return groups.map((g) => ({
    ...g,
    members: members.filter((m) => m.groupId === g.id).map((m) => m.userId),
  }));
}
