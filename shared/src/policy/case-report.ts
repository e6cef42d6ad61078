import type { CaseExpectation, CaseResult } from './cases';
import { formatDuration } from './duration';

type Key = keyof CaseExpectation;
const LABEL: Record<Key, string> = {
  effect: 'effect',
  rule: 'rule',
  reason: 'reason',
  approvers: 'approvers',
  minApprovals: 'minApprovals',
  timeoutMs: 'timeout',
  grantTtlMs: 'grantTtl',
  channel: 'channel',
  condition: 'condition',
  risk: 'risk',
  amend: 'amend',
  standing: 'standing',
  breakGlass: 'breakGlass',
  stepUp: 'stepUp',
};

function show(key: Key, value: unknown): string {
  if (value === undefined) return '(none)';
  if ((key === 'timeoutMs' || key === 'grantTtlMs') && typeof value === 'number')
    return formatDuration(value);
  if (Array.isArray(value)) return `[${value.map(String).join(', ')}]`;
  if (typeof value === 'string' && !/^[\w@.:#/*+-]+$/.test(value)) return JSON.stringify(value);
  return String(value);
}

function fieldsLine(keys: Key[], values: Partial<Record<Key, unknown>>): string {
  return keys.map((k) => `${LABEL[k]}: ${show(k, values[k])}`).join(', ');
}

function failure(result: CaseResult): string[] {
  const expectedKeys = Object.keys(result.expected) as Key[];
  // The actual line always names effect and rule, so a reader sees which rule caught the request.
  const actualKeys = [...new Set<Key>(['effect', 'rule', ...expectedKeys])];
  // The compared values: a review option reads as true/false, as the case wrote it, not as an object.
  const actual: Partial<Record<Key, unknown>> = result.compared;
  return [
    `FAIL  ${result.name} (line ${result.line})`,
    `  - expected  ${fieldsLine(expectedKeys, result.expected)}`,
    `  + actual    ${fieldsLine(actualKeys, actual)}`,
    `    differs   ${result.mismatches.map((k) => LABEL[k]).join(', ')}`,
  ];
}

/** A readable report: one line per passing case, an expected / actual pair per failing one, a summary. */
export function formatCaseResults(results: readonly CaseResult[]): string {
  const lines = results.flatMap((r) => (r.pass ? [`PASS  ${r.name}`] : failure(r)));
  const failed = results.filter((r) => !r.pass).length;
  const summary = `${results.length} case${results.length === 1 ? '' : 's'}: ${results.length - failed} passed, ${failed} failed`;
  return [...lines, summary].join('\n');
}
