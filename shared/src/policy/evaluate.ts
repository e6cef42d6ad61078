import type { GlobKind, Matcher } from './glob';
import { compileGlobs } from './glob';
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

type CompiledRule = { rule: PolicyRule; tests: [MatchKey, Matcher][] };

// Compiled once per policy object; keeping matchers out of Policy leaves it plain, serialisable data.
const compiled = new WeakMap<Policy, CompiledRule[]>();

/** Compiles every rule's globs; parsePolicy calls it, so evaluation never compiles. Throws on a bad glob. */
export function compilePolicy(policy: Policy): void {
  if (compiled.has(policy)) return;
  const rules = policy.rules.map((rule) => ({
    rule,
    tests: MATCH_KEYS.flatMap((key): [MatchKey, Matcher][] => {
      const globs = rule.match[key];
      return globs ? [[key, compileGlobs(KIND[key], globs, NOCASE[key])]] : [];
    }),
  }));
  compiled.set(policy, rules);
}

function compiledRules(policy: Policy): CompiledRule[] {
  compilePolicy(policy);
  return compiled.get(policy) ?? [];
}

/** A request field that is absent (or empty) never matches a key the rule gives. */
function matches(tests: [MatchKey, Matcher][], input: EvaluationInput): boolean {
  return tests.every(([key, test]) => {
    const value = input[key];
    return value !== undefined && test(value);
  });
}

function decide(rule: string, outcome: RuleOutcome): Decision {
  switch (outcome.effect) {
    case 'allow':
      return { effect: 'allow', rule, grantTtlMs: outcome.grantTtlMs };
    case 'deny':
      return { effect: 'deny', rule, reason: outcome.reason };
    case 'review': {
      const { approvers, minApprovals, timeoutMs, grantTtlMs, channel } = outcome;
      const decision: Decision = {
        effect: 'review',
        rule,
        approvers: [...approvers],
        minApprovals,
        timeoutMs,
        grantTtlMs,
      };
      return channel === undefined ? decision : { ...decision, channel };
    }
  }
}

/** The first rule whose every given match key matches decides; then the default; then deny. */
export function evaluate(policy: Policy, input: EvaluationInput): Decision {
  for (const { rule, tests } of compiledRules(policy)) {
    if (matches(tests, input)) return decide(rule.name, rule);
  }
  if (policy.default) return decide('default', policy.default);
  return { effect: 'deny', rule: 'default', reason: FAIL_CLOSED_REASON };
}
