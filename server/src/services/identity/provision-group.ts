import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { AuditInput } from '../../audit/emit';
import type { Queryable, Tx } from '../../db/client';
import { scimGroupMembers, scimGroups, scimUsers } from '../../db/schema';
import { newId } from '../../ids';
import type { Core } from '../core';
import { commitIdentityChange } from './identity-effects';
import { type ScimCaller, ScimRefusal } from './scim-refusal';

/** A group as the identity provider describes it; `members` are SCIM user ids. */
export type ScimGroupState = { displayName: string; externalId: string | null; members: string[] };
export type ScimGroupRow = typeof scimGroups.$inferSelect & { members: string[] };

async function membersOf(tx: Queryable, groupId: string): Promise<string[]> {
  const rows = await tx
    .select({ userId: scimGroupMembers.userId })
    .from(scimGroupMembers)
    .where(eq(scimGroupMembers.groupId, groupId));
  return rows.map((r) => r.userId);
}

async function emailsOf(tx: Tx, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await tx
    .select({ email: scimUsers.email })
    .from(scimUsers)
    .where(inArray(scimUsers.id, [...userIds]));
  return rows.map((r) => r.email);
}

/** Members must be live users of this server; an unknown id is the provider's mistake, said as 400. */
async function setMembers(tx: Tx, groupId: string, members: readonly string[]): Promise<void> {
  const wanted = [...new Set(members)];
  if (wanted.length > 0) {
    const known = await tx
      .select({ id: scimUsers.id })
      .from(scimUsers)
      .where(and(inArray(scimUsers.id, wanted), isNull(scimUsers.deletedAt)));
    const missing = wanted.filter((id) => !known.some((k) => k.id === id));
    if (missing.length > 0)
      throw new ScimRefusal(400, `members not found: ${missing.join(', ')}`, 'invalidValue');
  }
  await tx.delete(scimGroupMembers).where(eq(scimGroupMembers.groupId, groupId));
  if (wanted.length > 0)
    await tx.insert(scimGroupMembers).values(wanted.map((userId) => ({ groupId, userId })));
}

async function assertNameFree(tx: Tx, displayName: string, id?: string): Promise<void> {
  const [taken] = await tx
    .select({ id: scimGroups.id })
    .from(scimGroups)
    .where(
      and(
        sql`lower(${scimGroups.displayName}) = ${displayName.toLowerCase()}`,
        ...(id ? [ne(scimGroups.id, id)] : []),
      ),
    )
    .limit(1);
  if (taken) throw new ScimRefusal(409, `a group named "${displayName}" exists`, 'uniqueness');
}

const event = (caller: ScimCaller, type: AuditInput['type'], row: ScimGroupRow, data = {}): AuditInput => ({
  type,
  actor: caller.principal,
  subject: `idp:${row.displayName}`,
  data: {
    scimId: row.id,
    displayName: row.displayName,
    members: row.members.length,
    scimRequest: caller.requestId,
    ...data,
  },
});

type Written = { row: ScimGroupRow; events: AuditInput[]; recheck: string[] };

const commit = (core: Core, caller: ScimCaller, write: (tx: Tx, at: number) => Promise<Written>) =>
  commitIdentityChange(core, caller, write);

export function createScimGroup(
  core: Core,
  caller: ScimCaller,
  state: ScimGroupState,
): Promise<ScimGroupRow> {
  return commit(core, caller, async (tx, at) => {
    await assertNameFree(tx, state.displayName);
    const [group] = await tx
      .insert(scimGroups)
      .values({
        id: newId('grp'),
        displayName: state.displayName,
        externalId: state.externalId,
        createdAt: at,
        updatedAt: at,
      })
      .returning();
    if (!group) throw new Error('insert returned nothing');
    await setMembers(tx, group.id, state.members);
    const row = { ...group, members: [...new Set(state.members)] };
    return { row, events: [event(caller, 'identity.group.created', row)], recheck: [] };
  });
}

/**
 * PUT or PATCH, computed from the stored state inside the transaction. Everyone who left the group,
 * and everyone in it when it is renamed (a policy names it by name), has their counted approvals
 * re-checked after commit.
 */
export function updateScimGroup(
  core: Core,
  caller: ScimCaller,
  id: string,
  change: (current: ScimGroupState) => ScimGroupState,
): Promise<ScimGroupRow> {
  return commit(core, caller, async (tx, at) => {
    const [current] = await tx.select().from(scimGroups).where(eq(scimGroups.id, id));
    if (!current) throw new ScimRefusal(404, `group ${id} not found`);
    const before = await membersOf(tx, id);
    const next = change({
      displayName: current.displayName,
      externalId: current.externalId,
      members: before,
    });
    if (next.displayName !== current.displayName) await assertNameFree(tx, next.displayName, id);
    const [group] = await tx
      .update(scimGroups)
      .set({ displayName: next.displayName, externalId: next.externalId, updatedAt: at })
      .where(eq(scimGroups.id, id))
      .returning();
    if (!group) throw new ScimRefusal(404, `group ${id} not found`);
    await setMembers(tx, id, next.members);
    const after = new Set(next.members);
    const removed = before.filter((m) => !after.has(m));
    const added = [...after].filter((m) => !before.includes(m));
    const renamed = next.displayName !== current.displayName;
    const row = { ...group, members: [...after] };
    const data = {
      added: await emailsOf(tx, added),
      removed: await emailsOf(tx, removed),
      ...(renamed && { previousName: current.displayName }),
    };
    const recheck = await emailsOf(tx, renamed ? before : removed);
    return { row, events: [event(caller, 'identity.group.updated', row, data)], recheck };
  });
}

export function deleteScimGroup(core: Core, caller: ScimCaller, id: string): Promise<ScimGroupRow> {
  return commit(core, caller, async (tx) => {
    const [current] = await tx.select().from(scimGroups).where(eq(scimGroups.id, id));
    if (!current) throw new ScimRefusal(404, `group ${id} not found`);
    const before = await membersOf(tx, id);
    await tx.delete(scimGroupMembers).where(eq(scimGroupMembers.groupId, id));
    await tx.delete(scimGroups).where(eq(scimGroups.id, id));
    const row = { ...current, members: before };
    return {
      row,
      events: [event(caller, 'identity.group.deleted', row)],
      recheck: await emailsOf(tx, before),
    };
  });
}

export async function readScimGroup(tx: Queryable, id: string): Promise<ScimGroupRow | undefined> {
  const [group] = await tx.select().from(scimGroups).where(eq(scimGroups.id, id));
  return group ? { ...group, members: await membersOf(tx, id) } : undefined;
}
