import {
  compileGlobs,
  type EvaluationInput,
  evaluate,
  type Policy,
  type PolicyRule,
} from '@countersign/shared/policy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The evaluator indexes rules by the action's first segment. This is the plain first-match-wins loop
// it replaced, kept here as the reference: over random policies and requests both must pick the same rule.
const KINDS = { action: 'dotted', resource: 'path', environment: 'plain', requester: 'plain' } as const;
const NOCASE = { action: true, resource: false, environment: true, requester: true } as const;
type Key = keyof typeof KINDS;

type Test = (input: EvaluationInput) => boolean;
const referenceRules = new WeakMap<Policy, { name: string; test: Test }[]>();

function reference(policy: Policy, input: EvaluationInput): string {
  let rules = referenceRules.get(policy);
  if (!rules) {
    rules = policy.rules.map((rule) => {
      const tests = (Object.keys(KINDS) as Key[]).flatMap((key) => {
        const globs = rule.match[key];
        if (!globs) return [];
        const matcher = compileGlobs(KINDS[key], globs, NOCASE[key]);
        return [(i: EvaluationInput) => i[key] !== undefined && matcher(i[key] ?? '')];
      });
      return { name: rule.name, test: (i: EvaluationInput) => tests.every((t) => t(i)) };
    });
    referenceRules.set(policy, rules);
  }
  return rules.find((r) => r.test(input))?.name ?? 'default';
}

// Segments that exercise the index: literal service names in both cases, globs, braces, escapes, and
// non-ASCII letters that case-insensitive matching may fold (the Kelvin sign, the long s).
const segment = fc.constantFrom(
  'db',
  'DB',
  'Db',
  's3',
  'aws',
  'iam',
  'export',
  'getAll',
  'x-y',
  'a_b',
  'k',
  'K',
  '\u212A',
  's',
  '\u017F',
  '*',
  '**',
  'get*',
  'db*',
  '{db,s3}',
  '[ds]b',
  '?b',
  'd\\b',
);
const actionGlob = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const plainValue = fc.constantFrom('prod', 'PROD', 'dev', '*', 'p*', 'agent:bot', 'user:a@example.com');
const resource = fc.constantFrom('customers/eu', 'customers/**', 'orders/*', 'a/b/c', '**', 'Customers/eu');

const rule = (index: number): fc.Arbitrary<PolicyRule> =>
  fc
    .record(
      {
        action: fc.array(actionGlob, { minLength: 1, maxLength: 3 }),
        resource: fc.array(resource, { minLength: 1, maxLength: 2 }),
        environment: fc.array(plainValue, { minLength: 1, maxLength: 2 }),
        requester: fc.array(plainValue, { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: [] },
    )
    .map((match) => ({ name: `r${index}`, match, effect: 'allow', grantTtlMs: 1 }) as PolicyRule);

const policy: fc.Arbitrary<Policy> = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => rule(i))))
  .map((rules) => ({ groups: {}, defaults: { timeoutMs: 1, grantTtlMs: 1 }, rules, consoles: [] }));

const input: fc.Arbitrary<EvaluationInput> = fc.record(
  {
    action: fc
      .array(
        segment.filter((s) => !/[*?{[\\]/.test(s)),
        { minLength: 1, maxLength: 4 },
      )
      .map((p) => p.join('.')),
    resource: fc.constantFrom('customers/eu', 'customers/us/x', 'orders/1', 'a/b/c', 'Customers/eu'),
    environment: plainValue,
    requester: plainValue,
  },
  { requiredKeys: ['action', 'requester'] },
) as fc.Arbitrary<EvaluationInput>;

describe('policy evaluation with the first-segment index', () => {
  it('picks the same rule as a plain first-match-wins loop, for random policies and requests', () => {
    fc.assert(
      fc.property(policy, fc.array(input, { minLength: 1, maxLength: 8 }), (p, inputs) => {
        for (const i of inputs) expect(evaluate(p, i).rule).toBe(reference(p, i));
      }),
      { numRuns: 1_000, seed: 20261130 },
    );
  });

  it('still finds a wildcard rule written before an indexed one', () => {
    const p: Policy = {
      groups: {},
      defaults: { timeoutMs: 1, grantTtlMs: 1 },
      consoles: [],
      rules: [
        { name: 'late-reads', match: { action: ['**.get*'] }, effect: 'allow', grantTtlMs: 1 },
        { name: 'exports', match: { action: ['db.export*'] }, effect: 'deny', reason: 'no' },
      ],
    };
    expect(evaluate(p, { action: 'db.exportGetAll', requester: 'agent:x' }).rule).toBe('exports');
    expect(evaluate(p, { action: 'db.export.getAll', requester: 'agent:x' }).rule).toBe('late-reads');
    expect(evaluate(p, { action: 'DB.EXPORT', requester: 'agent:x' }).rule).toBe('exports');
  });
});
