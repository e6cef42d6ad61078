import { groupMembers } from '@countersign/shared/policy';
import { type Actor, hasScope, humanOf } from '../../context';
import type { Core } from '../core';
import type { ActionRow } from './rows';

/** The requester, or the human who owns the requesting agent: they may never review it. */
export function isRequesterSide(actor: Actor, row: ActionRow): boolean {
  if (actor.id === row.requesterId) return true;
  const human = humanOf(actor);
  if (human === undefined) return false;
  return `user:${human}` === row.requesterId || human === row.requesterOwner;
}

/** Whether the actor's human is a member of the request's approver groups under the policy in force. */
export function isEligibleApprover(core: Core, actor: Actor, row: ActionRow): boolean {
  if (actor.kind !== 'person') return false;
  return groupMembers(core.policy.current.policy, row.approvers).includes(actor.email);
}

/** Requesters (and owners), eligible approvers and auditors may see a request; others get 404. */
export function canSee(core: Core, actor: Actor, row: ActionRow): boolean {
  return (
    isRequesterSide(actor, row) ||
    hasScope(actor, 'audit:read') ||
    (hasScope(actor, 'reviews:write') && isEligibleApprover(core, actor, row))
  );
}
