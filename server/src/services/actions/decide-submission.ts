import { ActionSource, type SubmitActionInput } from '@countersign/shared';
import type { Decision, Policy } from '@countersign/shared/policy';
import { evaluate } from '@countersign/shared/policy';
import { countConditionError } from '../../metrics/condition-errors';
import type { Core } from '../core';
import { policyGroupsOf } from './access';
import type { ActionRow } from './rows';

export type Submitter = { id: string; kind: 'agent' | 'person'; owner: string | null; email: string | null };

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
    // The person's (or the agent's owner's) groups as approver eligibility counts them, Slack and IdP
    // groups included; worked out only when a condition that reads requester.groups is reached.
    groups: () => {
      const human = who.kind === 'agent' ? who.owner : who.email;
      return human === null ? [] : policyGroupsOf(core, human);
    },
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

/**
 * The policy in force's decision on a stored request as it stands now (its requester, its action,
 * and `params`: the stored ones, or an amendment's): what an amendment and a reload re-decide with,
 * through the very evaluator a submission goes through.
 */
export function decideStored(
  core: Core,
  row: ActionRow,
  params: Record<string, unknown> | null = row.params,
): Decision {
  const agent = row.requesterId.startsWith('agent:');
  const source = ActionSource.safeParse(row.source);
  return decideSubmission(
    core,
    core.policy.current.policy,
    {
      action: row.action,
      ...(row.resource !== null && { resource: row.resource }),
      ...(row.environment !== null && { environment: row.environment }),
      ...(source.success && { source: source.data }),
      ...(params !== null && { params }),
      context: row.context,
    },
    {
      id: row.requesterId,
      kind: agent ? 'agent' : 'person',
      owner: row.requesterOwner,
      email: !agent && row.requesterId.startsWith('user:') ? row.requesterId.slice('user:'.length) : null,
    },
  );
}
