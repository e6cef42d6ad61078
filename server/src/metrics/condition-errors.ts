/**
 * Policy conditions that could not be evaluated on this node, by rule. Kept in the process (not the
 * database): an error is this node's reading of a request, and the request itself is recorded with
 * the rule that decided it. /metrics reports it as countersign_policy_condition_errors_total.
 */
const counts = new Map<string, number>();

export function countConditionError(rule: string): void {
  counts.set(rule, (counts.get(rule) ?? 0) + 1);
}

export function conditionErrorCounts(): ReadonlyMap<string, number> {
  return counts;
}
