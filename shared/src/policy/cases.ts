import { z } from 'zod';
import { durationSchema } from './duration';
import { evaluate } from './evaluate';
import { groupsContaining } from './groups';
import type { PolicyProblem } from './problem';
import { byPosition } from './problem';
import { oneOrMany, text } from './schema';
import type { Decision, EvaluationInput, Policy, Risk, StepUp } from './types';
import { RISKS, STEP_UPS } from './types';
import type { Path, YamlSource } from './yaml-source';
import { issueProblems, lineOf, problemAt, readYaml } from './yaml-source';

/** What a case expects; only the fields given are compared. */
export type CaseExpectation = {
  effect: Decision['effect'];
  rule?: string;
  reason?: string;
  approvers?: string[];
  minApprovals?: number;
  timeoutMs?: number;
  grantTtlMs?: number;
  channel?: string;
  /** The `when:` that was true (as written in the policy). */
  condition?: string;
  risk?: Risk;
  /** Whether reviewers may amend, may approve "the same again", and whether break-glass is allowed. */
  amend?: boolean;
  standing?: boolean;
  breakGlass?: boolean;
  /** What an approval needs besides the click (`none` when nothing): the rule's, or `mfa` for critical. */
  stepUp?: StepUp | 'none';
};
export type PolicyCase = { name: string; line: number; request: EvaluationInput; expect: CaseExpectation };
export type CaseResult = {
  name: string;
  line: number;
  pass: boolean;
  expected: CaseExpectation;
  actual: Decision;
  /** What each expectation was compared with: the decision's fields, its review options as yes/no. */
  compared: Partial<Record<keyof CaseExpectation, unknown>>;
  /** The expected fields the decision got wrong. */
  mismatches: (keyof CaseExpectation)[];
};

const requestShape = {
  action: text('an action'),
  resource: text('a resource').optional(),
  environment: text('an environment').optional(),
  requester: text('a principal id such as agent:billing-bot'),
  source: text('a source').optional(),
  initiator: text('an initiator such as page or copilot:amazon-q').optional(),
  // What a rule's `when:` reads: the action's params and context, who asks, and when.
  params: z.record(z.string(), z.unknown(), { error: 'expected a map of params' }).optional(),
  context: z.record(z.string(), z.unknown(), { error: 'expected a map' }).optional(),
  owner: text("the agent's owner (an email)").optional(),
  groups: z.array(z.string(), { error: 'expected a list of group names' }).optional(),
  now: z.iso.datetime({ offset: true, error: 'expected a time such as 2026-11-28T22:00:00Z' }).optional(),
};
const expectShape = {
  effect: z.enum(['allow', 'deny', 'review'], { error: 'must be allow, deny or review' }),
  rule: text('a rule name').optional(),
  reason: text('a reason').optional(),
  approvers: oneOrMany(text('a group name'), 'a group name').optional(),
  minApprovals: z
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .optional(),
  timeout: durationSchema.optional(),
  grantTtl: durationSchema.optional(),
  channel: text('a Slack channel').optional(),
  condition: text('the condition that was true').optional(),
  risk: z.enum(RISKS, { error: 'must be low, medium, high or critical' }).optional(),
  amend: z.boolean({ error: 'must be true or false' }).optional(),
  standing: z.boolean({ error: 'must be true or false' }).optional(),
  breakGlass: z.boolean({ error: 'must be true or false' }).optional(),
  stepUp: z.enum([...STEP_UPS, 'none'], { error: 'must be mfa, passkey or none' }).optional(),
};
const caseShape = {
  name: text('a case name'),
  request: z.strictObject(requestShape, { error: 'expected a request (a map)' }),
  expect: z.strictObject(expectShape, { error: 'expected a map with at least effect' }),
};
const topShape = {
  cases: z
    .array(z.strictObject(caseShape, { error: 'expected a case (a map)' }), {
      error: 'expected a list of cases',
    })
    .min(1, { error: 'expected at least one case' }),
};
const casesFileSchema = z.strictObject(topShape, { error: 'expected a map with cases' });

function caseKeysAt(path: Path): readonly string[] {
  if (path.length === 0) return Object.keys(topShape);
  if (path.length === 2) return Object.keys(caseShape);
  return path[2] === 'request' ? Object.keys(requestShape) : Object.keys(expectShape);
}

function duplicateNames(source: YamlSource): PolicyProblem[] {
  const data = source.data;
  const cases = typeof data === 'object' && data !== null && 'cases' in data ? data.cases : undefined;
  if (!Array.isArray(cases)) return [];
  const firstLine = new Map<string, number>();
  return cases.flatMap((c: unknown, i) => {
    const name = typeof c === 'object' && c !== null && 'name' in c ? c.name : undefined;
    if (typeof name !== 'string') return [];
    const seen = firstLine.get(name.trim());
    if (seen === undefined) {
      firstLine.set(name.trim(), lineOf(source, ['cases', i]));
      return [];
    }
    return [problemAt(source, ['cases', i, 'name'], `duplicate case name "${name}" (first at line ${seen})`)];
  });
}

/** Monday 2026-01-05 12:00 UTC: inside business hours anywhere from UTC−5 to UTC+5. */
export const CASE_CLOCK = Date.parse('2026-01-05T12:00:00Z');

/** Parses a cases file for `countersign policy test`, reporting every problem with its position. */
export function parseCases(
  text: string,
  file: string,
): { ok: true; cases: PolicyCase[] } | { ok: false; problems: PolicyProblem[] } {
  const { source, problems } = readYaml(text, file);
  if (!source) return { ok: false, problems: problems.sort(byPosition) };
  if (source.data === null || source.data === undefined) {
    const empty = { file, line: 1, column: 1, message: 'the cases file is empty; it needs a list of cases' };
    return { ok: false, problems: [...problems, empty] };
  }
  const parsed = casesFileSchema.safeParse(source.data);
  if (!parsed.success) problems.push(...issueProblems(source, parsed.error.issues, caseKeysAt));
  problems.push(...duplicateNames(source));
  if (!parsed.success || problems.length > 0) return { ok: false, problems: problems.sort(byPosition) };
  const cases = parsed.data.cases.map((c, i): PolicyCase => {
    const { timeout, grantTtl, ...rest } = c.expect;
    const expect: CaseExpectation = { ...rest };
    if (timeout !== undefined) expect.timeoutMs = timeout;
    if (grantTtl !== undefined) expect.grantTtlMs = grantTtl;
    const { now, ...fields } = c.request;
    const request: EvaluationInput = now === undefined ? fields : { ...fields, now: Date.parse(now) };
    return { name: c.name, line: lineOf(source, ['cases', i]), request, expect };
  });
  return { ok: true, cases };
}

function same(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    // Approver groups are a set: order in the file carries no meaning.
    const sorted = (xs: unknown[]) => JSON.stringify(xs.map(String).sort());
    return sorted(expected) === sorted(actual);
  }
  return expected === actual;
}

/**
 * A case without `groups` is in the groups the file lists its person (or its agent's owner) in, as the
 * server counts them; memberships through Slack or the identity provider are what a case's `groups`
 * states, since they are not in the file.
 */
function caseGroups(policy: Policy, request: EvaluationInput): () => readonly string[] {
  return () => {
    const human = request.requester.startsWith('agent:')
      ? request.owner
      : request.requester.replace(/^user:/i, '');
    return human === undefined ? [] : groupsContaining(policy, human);
  };
}

/** Evaluates each case's request against the policy and compares the decision with its expectation. */
export function runCases(policy: Policy, cases: readonly PolicyCase[]): CaseResult[] {
  return cases.map((c) => {
    // A case without a time is evaluated at a fixed instant, so its result does not change with the clock.
    // Without a source, a case is what the server makes of a submission without one: from `api`; and
    // like the server, it reads a string `context.initiator` as the initiator.
    const initiator = c.request.context?.initiator;
    const actual = evaluate(policy, {
      now: CASE_CLOCK,
      source: 'api',
      ...(typeof initiator === 'string' && { initiator }),
      groups: caseGroups(policy, c.request),
      ...c.request,
    });
    // The rule's review options as yes/no, so a case says "break-glass is allowed here" plainly.
    const review = actual.effect === 'review';
    const fields: Partial<Record<keyof CaseExpectation, unknown>> = {
      ...actual,
      amend: review && actual.amend !== false,
      standing: actual.standing !== undefined,
      breakGlass: actual.breakGlass !== undefined,
      stepUp: actual.stepUp ?? 'none',
    };
    const keys = Object.keys(c.expect) as (keyof CaseExpectation)[];
    const mismatches = keys.filter((k) => !same(c.expect[k], fields[k]));
    return {
      name: c.name,
      line: c.line,
      pass: mismatches.length === 0,
      expected: c.expect,
      actual,
      compared: fields,
      mismatches,
    };
  });
}
