import type { Policy } from '../../src/policy/index';
import { formatProblem, parsePolicy } from '../../src/policy/index';

/** Joins lines so that a test can name exact line and column numbers. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

export function load(text: string): Policy {
  const result = parsePolicy(text, 'test.yaml');
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.policy;
}

/** The formatted problems of a policy that must not load. */
export function problems(text: string): string[] {
  const result = parsePolicy(text, 'test.yaml');
  if (result.ok) throw new Error('expected the policy to be refused');
  return result.problems.map(formatProblem);
}

/** A policy with one rule matching on `match` (given as YAML flow text), allowing what it matches. */
export function oneRule(match: string): Policy {
  return load(yaml('version: 1', 'rules:', '  - name: r', `    match: ${match}`, '    effect: allow'));
}
