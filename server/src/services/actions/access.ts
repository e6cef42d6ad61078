import {
  groupIdpNames,
  groupMembers,
  groupSlackHandles,
  groupsContaining,
  isIdpEntry,
} from '@countersign/shared/policy';
import { type Actor, hasScope } from '../../context';
import type { Queryable } from '../../db/client';
import type { Core } from '../core';
import { isDeprovisioned } from '../identity/deprovisioned';
import type { ActionRow } from './rows';

/** Whether this person asked for the request, or owns the agent that did. */
export function isRequesterHuman(
  email: string,
  requesterId: string,
  requesterOwner: string | null | undefined,
): boolean {
  return requesterId === `user:${email}` || requesterOwner === email;
}

/** The requester, or the human who owns the requesting agent: they may never review it. */
export function isRequesterSide(actor: Actor, row: ActionRow): boolean {
  if (actor.id === row.requesterId) return true;
  // An agent stands only for itself: sharing an owner gives it no view of its siblings' requests.
  return actor.kind === 'person' && isRequesterHuman(actor.email, row.requesterId, row.requesterOwner);
}

/** Everyone in the named approver groups under the policy in force, Slack and IdP groups included. */
export function approverEmails(core: Core, groups: readonly string[]): string[] {
  const { policy } = core.policy.current;
  const emails = new Set(groupMembers(policy, groups));
  for (const handle of groupSlackHandles(policy, groups)) {
    for (const email of core.directory.emailsOf(handle)) emails.add(email);
  }
  // `idp:"…"` approvers, and IdP groups mapped into the named policy groups.
  for (const name of groupIdpNames(policy, groups)) {
    for (const email of core.idp.emailsOf(name)) emails.add(email);
  }
  // Whoever the identity provider deactivated approves for no group, whichever group lists them.
  return [...emails].filter((email) => !core.idp.isInactive(email));
}

/**
 * The policy groups `email` belongs to under the policy in force, by the same membership approver
 * eligibility uses (listed, through a Slack user group, or through an IdP group mapped into it):
 * what a condition reads as `requester.groups`, and which queues a person sees.
 */
export function policyGroupsOf(core: Core, email: string): string[] {
  return groupsContaining(core.policy.current.policy, email, (groups) => approverEmails(core, groups));
}

/**
 * The approver entries that make `email` an approver under the policy in force: the policy groups
 * they are in, and the `idp:"…"` entries rules name directly whose group holds them. What lists and
 * queues match a request's stored `approvers` against, so they show what review-action allows.
 */
export function approverEntriesOf(core: Core, email: string): string[] {
  const { policy } = core.policy.current;
  const named = new Set<string>();
  for (const outcome of [...policy.rules, ...(policy.default ? [policy.default] : [])]) {
    if (outcome.effect === 'review')
      for (const entry of outcome.approvers) if (isIdpEntry(entry)) named.add(entry);
  }
  const direct = [...named].filter((entry) => approverEmails(core, [entry]).includes(email));
  return [...policyGroupsOf(core, email), ...direct];
}

/** Whether the actor's human is a member of the request's approver groups under the policy in force. */
export function isEligibleApprover(core: Core, actor: Actor, row: ActionRow): boolean {
  if (actor.kind !== 'person') return false;
  return approverEmails(core, row.approvers).includes(actor.email);
}

/** Requesters (and owners), eligible approvers and auditors may see a request; others get 404. */
export function canSee(core: Core, actor: Actor, row: ActionRow): boolean {
  return (
    isRequesterSide(actor, row) ||
    hasScope(actor, 'audit:read') ||
    (hasScope(actor, 'reviews:write') && isEligibleApprover(core, actor, row))
  );
}

/**
 * Why this actor may not act as a reviewer of the request without deciding it (ask the requester a
 * question, review a break-glass), or undefined when they may: never its own side, only a person with
 * reviews:write whom the identity provider still vouches for, in one of the request's approver groups.
 */
export async function reviewerRefusal(
  core: Core,
  db: Queryable,
  actor: Actor,
  row: ActionRow,
): Promise<'self_approval' | 'forbidden' | 'identity_unusable' | 'not_an_approver' | undefined> {
  if (isRequesterSide(actor, row)) return 'self_approval';
  if (actor.kind !== 'person' || !hasScope(actor, 'reviews:write')) return 'forbidden';
  if (await isDeprovisioned(db, actor.email)) return 'identity_unusable';
  if (!isEligibleApprover(core, actor, row)) return 'not_an_approver';
  return undefined;
}
