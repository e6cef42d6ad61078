import { and, eq, isNull } from 'drizzle-orm';
import { type AuditInput, appendAudit } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { actions, agents, apiKeys, idpSubjects, reviews, scimUsers } from '../../db/schema';
import { newId } from '../../ids';
import { discountIneligible } from '../actions/recheck-quorum';
import { loadAction } from '../actions/rows';
import { moveAgentOwner } from '../agents/move-agent-owner';
import type { Core } from '../core';
import type { ScimCaller } from './scim-refusal';

export const RENAMED = 'identity provider renamed the person';

/**
 * What follows when the identity provider gives a person (the same SCIM user) a new email, inside the
 * SCIM write's transaction. The person stays who they were under the new address, and the old address
 * stops being anyone:
 * - agents they own move to the new address through the one reassignment (`agent.reassigned`), so
 *   the new address is the requester side of their open requests and may not approve them;
 * - their own open requests (submitted with their key) take the new address as the requester's human;
 * - approvals they gave pending requests under the old address stop counting: as the new address
 *   they may approve again, once, not twice;
 * - keys of the old address are revoked: they must never act as whoever is given that address later;
 * - a tombstone keeps the old address deprovisioned (keys made later, Slack, console sign-in refused);
 * - the console's IdP subject pin follows them, unless the new address has a pin of its own.
 * Answers the requests whose requester side moved, for the change feed once committed.
 */
export async function followRename(
  core: Core,
  tx: Tx,
  at: number,
  rename: { caller: ScimCaller; from: string; to: string; userName: string },
): Promise<string[]> {
  const { caller, from, to } = rename;
  const actor = caller.principal;
  const changed: string[] = [];
  const owned = await tx.select({ name: agents.name }).from(agents).where(eq(agents.owner, from));
  for (const { name } of owned) {
    const moved = await moveAgentOwner(core, tx, at, { actor, name, owner: to, reason: RENAMED });
    if (moved) changed.push(...moved.movedIds);
  }
  const reason = `${RENAMED} to ${to} (SCIM request ${caller.requestId})`;
  // Her own requests become the new address's, whatever their state: the old address may be given to
  // someone else next, and every requester-side check (seeing, cancelling, breaking the glass,
  // redeeming a grant not yet spent) reads the requester id. A request moved by an earlier rename
  // (A → B) is hers under B and moves again (B → A).
  const moved = await tx
    .update(actions)
    .set({ requesterId: `user:${to}`, requesterOwner: to })
    .where(eq(actions.requesterId, `user:${from}`))
    .returning({ id: actions.id, status: actions.status, followUp: actions.followUpStatus });
  const own = moved.filter((r) => r.status === 'pending' || r.followUp === 'open');
  changed.push(...own.map((r) => r.id));
  // Approvals the new address gave her own requests are now her own; those the old one gave anywhere
  // would let her count twice once she approves again as the new one.
  const touched = [
    ...own.map((r) => ({ id: r.id, person: to })),
    ...(
      await tx
        .selectDistinct({ id: actions.id })
        .from(actions)
        .innerJoin(reviews, eq(reviews.actionId, actions.id))
        .where(
          and(
            eq(actions.status, 'pending'),
            eq(reviews.reviewer, `user:${from}`),
            eq(reviews.decision, 'approve'),
            isNull(reviews.discountedAt),
          ),
        )
    ).map((r) => ({ id: r.id, person: from })),
  ];
  for (const { id, person } of touched) {
    const loaded = await loadAction(tx, id);
    const gone = loaded
      ? await discountIneligible(core, tx, at, loaded, actor, { person, reason, evenIfEligible: true })
      : [];
    if (gone.length > 0) changed.push(id);
  }
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.principal, `user:${from}`), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, principal: apiKeys.principal });
  const events: AuditInput[] = revoked.map((k) => ({
    type: 'key.revoked',
    actor,
    subject: k.id,
    data: { keyId: k.id, principal: k.principal, reason: RENAMED, to, scimRequest: caller.requestId },
  }));
  await appendAudit(tx, at, events);
  // Like a deleted user's row: SCIM never shows it, and it keeps the address deprovisioned until the
  // provider gives it to someone (a live user with it outweighs the tombstone).
  await tx.insert(scimUsers).values({
    id: newId('usr'),
    userName: rename.userName,
    externalId: null,
    email: from,
    displayName: null,
    active: false,
    resource: {},
    createdAt: at,
    updatedAt: at,
    deletedAt: at,
  });
  const [taken] = await tx
    .select({ email: idpSubjects.email })
    .from(idpSubjects)
    .where(eq(idpSubjects.email, to));
  if (!taken) await tx.update(idpSubjects).set({ email: to }).where(eq(idpSubjects.email, from));
  return [...new Set(changed)];
}
