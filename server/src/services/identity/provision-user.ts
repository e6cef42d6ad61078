import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { AuditInput } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { scimGroupMembers, scimUsers } from '../../db/schema';
import { newId } from '../../ids';
import type { Core } from '../core';
import { followRename } from './follow-rename';
import { commitIdentityChange } from './identity-effects';
import type { ScimCaller } from './scim-refusal';
import { ScimRefusal } from './scim-refusal';
import { personEmail, type ScimUserState } from './scim-user-state';

export type ScimUserRow = typeof scimUsers.$inferSelect;

const pick = (s: ScimUserState): ScimUserState => ({
  userName: s.userName,
  externalId: s.externalId,
  displayName: s.displayName,
  active: s.active,
  resource: s.resource,
});

type Written = {
  row: ScimUserRow;
  events: AuditInput[];
  recheck: string[];
  deprovisioned: string[];
  changed?: string[];
};

async function assertUnique(tx: Tx, state: ScimUserState, email: string, id?: string): Promise<void> {
  const others = id === undefined ? [] : [ne(scimUsers.id, id)];
  const [taken] = await tx
    .select({ id: scimUsers.id })
    .from(scimUsers)
    .where(
      and(
        isNull(scimUsers.deletedAt),
        sql`(lower(${scimUsers.userName}) = ${state.userName.toLowerCase()} OR ${scimUsers.email} = ${email})`,
        ...others,
      ),
    )
    .limit(1);
  if (taken)
    throw new ScimRefusal(
      409,
      `a user with userName "${state.userName}" or email ${email} exists`,
      'uniqueness',
    );
}

const audited = (caller: ScimCaller, type: AuditInput['type'], row: ScimUserRow, extra = {}): AuditInput => ({
  type,
  actor: caller.principal,
  subject: `user:${row.email}`,
  data: {
    scimId: row.id,
    userName: row.userName,
    active: row.active,
    scimRequest: caller.requestId,
    ...extra,
  },
});

const commit = (core: Core, caller: ScimCaller, write: (tx: Tx, at: number) => Promise<Written>) =>
  commitIdentityChange(core, caller, write);

/** POST /Users: a new person, or 409 when a live user already has the userName or email. */
export function createScimUser(core: Core, caller: ScimCaller, state: ScimUserState): Promise<ScimUserRow> {
  const email = personEmail(state);
  return commit(core, caller, async (tx, at) => {
    await assertUnique(tx, state, email);
    const [row] = await tx
      .insert(scimUsers)
      .values({ id: newId('usr'), ...state, email, createdAt: at, updatedAt: at })
      .returning();
    if (!row) throw new Error('insert returned nothing');
    // Created inactive (Okta can), the person is deprovisioned from the start.
    const deprovisioned = row.active ? [] : [email];
    return {
      row,
      events: [audited(caller, 'identity.user.created', row)],
      recheck: deprovisioned,
      deprovisioned,
    };
  });
}

/**
 * PUT or PATCH: `change` computes the new state from the stored one inside the transaction, so two
 * racing PATCHes cannot lose each other's changes. Deactivation takes effect here, at commit.
 */
export function updateScimUser(
  core: Core,
  caller: ScimCaller,
  id: string,
  change: (current: ScimUserState) => ScimUserState,
): Promise<ScimUserRow> {
  return commit(core, caller, async (tx, at) => {
    const [current] = await tx
      .select()
      .from(scimUsers)
      .where(and(eq(scimUsers.id, id), isNull(scimUsers.deletedAt)));
    if (!current) throw new ScimRefusal(404, `user ${id} not found`);
    const next = pick(change(pick(current)));
    const email = personEmail(next);
    await assertUnique(tx, next, email, id);
    const [row] = await tx
      .update(scimUsers)
      .set({ ...next, email, updatedAt: at })
      .where(eq(scimUsers.id, id))
      .returning();
    if (!row) throw new ScimRefusal(404, `user ${id} not found`);
    const type =
      current.active && !row.active
        ? 'identity.user.deactivated'
        : !current.active && row.active
          ? 'identity.user.reactivated'
          : 'identity.user.updated';
    const events = [
      audited(caller, type, row, email === current.email ? {} : { previousEmail: current.email }),
    ];
    // A new address for the same user is the same person: what they own and answer for follows them,
    // in this transaction, and the old address is left to no one (follow-rename.ts).
    const changed =
      email === current.email
        ? []
        : await followRename(core, tx, at, {
            caller,
            from: current.email,
            to: email,
            userName: current.userName,
          });
    // A new address leaves the old one behind: that person is no longer provisioned as active.
    const gone = [...(row.active ? [] : [email]), ...(email === current.email ? [] : [current.email])];
    return { row, events, recheck: gone, deprovisioned: gone, changed };
  });
}

/** DELETE /Users/:id: gone from SCIM and from every group; the person stays refused (see schema). */
export function deleteScimUser(core: Core, caller: ScimCaller, id: string): Promise<ScimUserRow> {
  return commit(core, caller, async (tx, at) => {
    await tx.delete(scimGroupMembers).where(eq(scimGroupMembers.userId, id));
    const [row] = await tx
      .update(scimUsers)
      .set({ deletedAt: at, updatedAt: at })
      .where(and(eq(scimUsers.id, id), isNull(scimUsers.deletedAt)))
      .returning();
    if (!row) throw new ScimRefusal(404, `user ${id} not found`);
    return {
      row,
      events: [audited(caller, 'identity.user.deleted', row)],
      recheck: [row.email],
      deprovisioned: [row.email],
    };
  });
}
