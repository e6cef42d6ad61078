import type { SubmitActionInput } from '@countersign/shared';
import type { Decision, Policy } from '@countersign/shared/policy';
import { evaluate, groupMembers } from '@countersign/shared/policy';
import { countConditionError } from '../../metrics/condition-errors';
import type { Core } from '../core';

export type Submitter = { id: string; kind: 'agent' | 'person'; owner: string | null; email: string | null };

/** The policy groups whose members include `email`: what a condition reads as `requester.groups`. */
function groupsOf(policy: Policy, email: string | null): string[] {
  if (email === null) return [];
  const lower = email.toLowerCase();
  return Object.keys(policy.groups).filter((group) => groupMembers(policy, [group]).includes(lower));
}

/**
 * The policy's decision on a submission. A rule's `when:` that could not be evaluated has already
 * been read as its stricter side by `evaluate`; here each such error is counted and logged, so an
 * operator sees a condition that keeps failing (a renamed param, a client sending strings).
 */
export function decideSubmission(
  core: Core,
  policy: Policy,
  input: SubmitActionInput,
  who: Submitter,
): Decision {
  // The extension says who started a console request (`page` or `copilot:<name>`) so that a rule can
  // hold what a copilot does; anything but a string is no initiator, which no `initiator` rule matches.
  const initiator = input.context?.initiator;
  const decision = evaluate(policy, {
    action: input.action,
    requester: who.id,
    ...(input.resource !== undefined && { resource: input.resource }),
    ...(input.environment !== undefined && { environment: input.environment }),
    source: input.source ?? 'api',
    ...(typeof initiator === 'string' && { initiator }),
    params: input.params,
    context: input.context,
    requesterKind: who.kind,
    owner: who.owner ?? undefined,
    groups: groupsOf(policy, who.kind === 'agent' ? who.owner : who.email),
    now: core.now(),
  });
  for (const { rule, error } of decision.conditionErrors ?? []) {
    countConditionError(rule);
    core.log.warn(
      { rule, error, action: input.action, requester: who.id },
      "a policy condition could not be evaluated; read as the rule's stricter side",
    );
  }
  return decision;
}
