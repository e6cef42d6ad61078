import type { CompiledCondition, ConditionInput } from './condition';
import { compileCondition } from './condition';

// A few hundred distinct conditions at most in a policy; bounded anyway, as it outlives reloads.
const MAX_CACHED = 512;
const cache = new Map<string, CompiledCondition | null>();

function compiled(text: string): CompiledCondition | null {
  let condition = cache.get(text);
  if (condition === undefined) {
    const result = compileCondition(text);
    condition = result.ok ? result.condition : null;
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, condition);
  }
  return condition;
}

/**
 * Why the condition a request was held by could not be evaluated for it, if it could not: the rule
 * then matched only to be safe (fail closed), and saying "held because <condition>" would be untrue.
 * The request's own params, context and submission time give the same answer the decision got; a
 * condition that reads `requester.groups` is not re-read (memberships change), so it says nothing.
 */
export function conditionFailure(text: string, input: ConditionInput): string | undefined {
  const condition = compiled(text);
  if (!condition || condition.readsGroups) return undefined;
  const result = condition.run(input);
  return result.ok ? undefined : result.error;
}
