import type { CompiledCondition, ConditionInput } from './condition';
import { compileCondition } from './condition';
import type { GlobKind, Matcher } from './glob';
import { compilePreparedGlobs, prepareValue } from './glob';
import type { Decision, EvaluationInput, MatchKey, Policy, PolicyRule, RuleOutcome } from './types';
import { MATCH_KEYS } from './types';

export const KIND: Record<MatchKey, GlobKind> = {
  action: 'dotted',
  resource: 'path',
  environment: 'plain',
  requester: 'plain',
  source: 'plain',
  initiator: 'plain',
};
// Case-insensitive so that `db.DROP` cannot slip past `db.drop*`; resource names (buckets, paths)
// are case-sensitive in the systems they name.
export const NOCASE: Record<MatchKey, boolean> = {
  action: true,
  resource: false,
  environment: true,
  requester: true,
  source: true,
  // `copilot:Amazon-Q` is still a copilot.
  initiator: true,
};

export const FAIL_CLOSED_REASON = 'No rule matched and the policy has no default (fail closed).';

type CompiledRule = { rule: PolicyRule; tests: [MatchKey, Matcher][]; condition?: CompiledCondition };

/**
 * A policy's rules, compiled once per version. Most rules name a service in their action's first
 * segment (`db.export`, `aws.iam.*`): a rule whose every action glob starts with a literal segment can
 * only match actions that start with it, so evaluation looks only at the rules indexed under the
 * request's first segment, merged in file order with the rules that could match any action.
 */
type CompiledPolicy = {
  /** First action segment (lower-cased) → the rules that may match it, in file order. */
  bySegment: Map<string, CompiledRule[]>;
  /** Rules that may match any action, in file order: what an unindexed segment is checked against. */
  anySegment: CompiledRule[];
  all: CompiledRule[];
};

// Compiled once per policy object; keeping matchers out of Policy leaves it plain, serialisable data.
const compiled = new WeakMap<Policy, CompiledPolicy>();

// Only plain ASCII names: anything picomatch could read as syntax (or fold differently) is not indexed.
const LITERAL_SEGMENT = /^[A-Za-z0-9_-]+$/;
const ASCII = /^[\x20-\x7e]*$/;

/** The literal first segments a rule's action globs require, or undefined when it may match any. */
function literalSegments(rule: PolicyRule): string[] | undefined {
  const globs = rule.match.action;
  if (!globs) return undefined;
  const segments = new Set<string>();
  for (const glob of globs) {
    const dot = glob.indexOf('.');
    const first = dot === -1 ? glob : glob.slice(0, dot);
    if (!LITERAL_SEGMENT.test(first)) return undefined;
    segments.add(first.toLowerCase());
  }
  return [...segments];
}

function conditionOf(rule: PolicyRule): CompiledCondition | undefined {
  if (rule.when === undefined) return undefined;
  const result = compileCondition(rule.when);
  if (!result.ok) throw new Error(`rule "${rule.name}": when: ${result.message}`);
  return result.condition;
}

/**
 * Compiles every rule's globs and conditions; parsePolicy calls it, so evaluation never compiles.
 * Throws on a bad glob or condition (parsePolicy has reported those as problems before).
 */
export function compilePolicy(policy: Policy): void {
  if (compiled.has(policy)) return;
  const all = policy.rules.map((rule): CompiledRule => {
    const tests = MATCH_KEYS.flatMap((key): [MatchKey, Matcher][] => {
      const globs = rule.match[key];
      return globs ? [[key, compilePreparedGlobs(KIND[key], globs, NOCASE[key])]] : [];
    });
    const condition = conditionOf(rule);
    return condition ? { rule, tests, condition } : { rule, tests };
  });
  const anySegment: CompiledRule[] = [];
  const indexed = new Map<string, Set<CompiledRule>>();
  for (const entry of all) {
    const segments = literalSegments(entry.rule);
    if (!segments) anySegment.push(entry);
    else for (const segment of segments) indexed.set(segment, (indexed.get(segment) ?? new Set()).add(entry));
  }
  const bySegment = new Map<string, CompiledRule[]>();
  const wild = new Set(anySegment);
  for (const [segment, rules] of indexed) {
    bySegment.set(
      segment,
      all.filter((entry) => rules.has(entry) || wild.has(entry)),
    );
  }
  compiled.set(policy, { bySegment, anySegment, all });
}

function compiledPolicy(policy: Policy): CompiledPolicy {
  compilePolicy(policy);
  const result = compiled.get(policy);
  if (!result) throw new Error('internal: the policy did not compile');
  return result;
}

/** The rules worth testing for this action, in file order. */
function candidates(policy: CompiledPolicy, action: string): CompiledRule[] {
  const dot = action.indexOf('.');
  const first = dot === -1 ? action : action.slice(0, dot);
  // Case-insensitive glob matching treats some non-ASCII letters as ASCII ones: look at every rule then.
  if (!ASCII.test(first)) return policy.all;
  return policy.bySegment.get(first.toLowerCase()) ?? policy.anySegment;
}

/** A request field that is absent (or empty) never matches a key the rule gives. */
function matches(tests: [MatchKey, Matcher][], prepared: Partial<Record<MatchKey, string>>): boolean {
  for (const [key, test] of tests) {
    const value = prepared[key];
    if (value === undefined || !test(value)) return false;
  }
  return true;
}

/** Each request field converted once per decision, not once per rule. */
function prepare(input: EvaluationInput): Partial<Record<MatchKey, string>> {
  const prepared: Partial<Record<MatchKey, string>> = {};
  for (const key of MATCH_KEYS) {
    const value = input[key];
    if (value !== undefined) prepared[key] = prepareValue(KIND[key], value);
  }
  return prepared;
}

function decide(rule: string, outcome: RuleOutcome): Decision {
  switch (outcome.effect) {
    case 'allow':
      return { effect: 'allow', rule, grantTtlMs: outcome.grantTtlMs };
    case 'deny':
      return { effect: 'deny', rule, reason: outcome.reason };
    case 'review': {
      const { approvers, minApprovals, timeoutMs, grantTtlMs, channel, teams } = outcome;
      const decision: Decision & { effect: 'review' } = {
        effect: 'review',
        rule,
        approvers: [...approvers],
        minApprovals,
        timeoutMs,
        grantTtlMs,
      };
      if (channel !== undefined) decision.channel = channel;
      if (teams !== undefined) decision.teams = teams;
      return decision;
    }
  }
}

function conditionInput(input: EvaluationInput): ConditionInput {
  return {
    action: input.action,
    resource: input.resource,
    environment: input.environment,
    params: input.params,
    context: input.context,
    requester: {
      id: input.requester,
      kind: input.requesterKind ?? (input.requester.startsWith('agent:') ? 'agent' : 'person'),
      owner: input.owner,
      // Filled in by groupsOnce when a condition that reads them is reached.
      groups: [],
    },
    source: input.source,
    now: input.now ?? Date.now(),
  };
}

function withMatch(
  decision: Decision,
  outcome: RuleOutcome,
  condition: string | undefined,
  errors: { rule: string; error: string }[],
): Decision {
  if (outcome.risk !== undefined) decision.risk = outcome.risk;
  if (outcome.stepUp !== undefined) decision.stepUp = outcome.stepUp;
  if (outcome.amend === false) decision.amend = false;
  if (outcome.standing) decision.standing = { ...outcome.standing };
  if (outcome.breakGlass)
    decision.breakGlass = { ...outcome.breakGlass, notify: [...outcome.breakGlass.notify] };
  if (condition !== undefined) decision.condition = condition;
  if (errors.length > 0) decision.conditionErrors = errors;
  return decision;
}

/**
 * The first rule whose every given match key matches, and whose `when:` (if any) is true, decides;
 * then the default; then deny. A condition that cannot be evaluated (a missing field, a value of the
 * wrong type) fails closed to its rule's stricter reading: an allow rule does not match, a review or
 * deny rule does. Such errors are returned on the decision for the caller to count and log.
 */
export function evaluate(policy: Policy, input: EvaluationInput): Decision {
  const prepared = prepare(input);
  const errors: { rule: string; error: string }[] = [];
  let bound: ConditionInput | undefined;
  let groupsBound = false;
  for (const { rule, tests, condition } of candidates(compiledPolicy(policy), input.action)) {
    if (!matches(tests, prepared)) continue;
    if (condition) {
      bound ??= conditionInput(input);
      if (condition.readsGroups && !groupsBound) {
        const { groups = [] } = input;
        bound.requester.groups = typeof groups === 'function' ? groups() : groups;
        groupsBound = true;
      }
      const result = condition.run(bound);
      if (!result.ok) {
        errors.push({ rule: rule.name, error: result.error });
        if (rule.effect === 'allow') continue;
        // The rule matches only to fail closed: the decision says so, once, so that nothing which
        // stands in for a human (a standing approval, an amendment) takes this for the rule's case.
        const failed = withMatch(decide(rule.name, rule), rule, condition.text, errors);
        failed.conditionFailed = result.error;
        return failed;
      } else if (!result.value) {
        continue;
      }
    }
    return withMatch(decide(rule.name, rule), rule, condition?.text, errors);
  }
  if (policy.default) return withMatch(decide('default', policy.default), policy.default, undefined, errors);
  return withMatch(
    { effect: 'deny', rule: 'default', reason: FAIL_CLOSED_REASON },
    { effect: 'deny', reason: '' },
    undefined,
    errors,
  );
}
