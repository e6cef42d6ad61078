import type { Scope } from '@countersign/shared';
import { isGroupMember } from '@countersign/shared/policy';
import type { Actor } from '../../context';
import type { Core } from '../core';
import type { LiveSession } from './resume-session';

/**
 * The person behind a live console session, with the scopes the policy in force gives them now:
 * everyone may review (the review verb still checks they are in the request's approver groups) and
 * cancel their own requests; `access.admin` and `access.audit` groups add `admin` and `audit:read`.
 * Worked out on every request, so a policy reload takes a role away at the next page load.
 */
export type ConsoleActor = Extract<Actor, { via: 'console' }>;

export function consoleActor(core: Core, session: LiveSession): ConsoleActor {
  const { policy } = core.policy.current;
  const scopes: Scope[] = ['reviews:write', 'actions:write'];
  if (isGroupMember(policy, policy.access?.admin ?? [], session.email)) scopes.push('admin');
  if (isGroupMember(policy, policy.access?.audit ?? [], session.email)) scopes.push('audit:read');
  return {
    kind: 'person',
    via: 'console',
    id: `user:${session.email}`,
    email: session.email,
    sessionId: session.id,
    scopes,
  };
}
