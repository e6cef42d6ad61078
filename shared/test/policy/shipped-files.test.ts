import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatCaseResults, formatProblem, parseCases, parsePolicy, runCases } from '../../src/policy/index';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const policyText = readFileSync(root('countersign.policy.yaml'), 'utf8');
const casesText = readFileSync(root('examples/policy-cases.yaml'), 'utf8');

describe('the shipped example policy', () => {
  it('loads with no problems', () => {
    const result = parsePolicy(policyText, 'countersign.policy.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });

  it('shows every part of the format', () => {
    const result = parsePolicy(policyText, 'countersign.policy.yaml');
    if (!result.ok) throw new Error('the example policy does not load');
    const { policy } = result;
    expect(Object.keys(policy.groups)).toEqual(expect.arrayContaining(['sre', 'data-owners', 'security']));
    expect(policy.default).toMatchObject({ effect: 'review', approvers: ['sre'] });
    expect(new Set(policy.rules.map((r) => r.effect))).toEqual(new Set(['allow', 'deny', 'review']));
    const keys = new Set(policy.rules.flatMap((r) => Object.keys(r.match)));
    expect(keys).toEqual(new Set(['action', 'resource', 'environment', 'requester', 'source']));
    expect(policy.consoles.map((c) => c.name)).toContain('aws-s3-bucket-policy');
  });

  it("shows issue 16's conditions and review options, each proved by a case", () => {
    const result = parsePolicy(policyText, 'countersign.policy.yaml');
    const cases = parseCases(casesText, 'examples/policy-cases.yaml');
    if (!result.ok || !cases.ok) throw new Error('the example files do not load');
    const { rules } = result.policy;
    const conditions = rules.flatMap((r) => (r.when === undefined ? [] : [r.when]));
    for (const shown of [
      'params.rows > 10000',
      '!params.bucket.endsWith(".corp-internal")',
      'params.pii == true && environment == "prod"',
      'weekday(now, "Europe/Paris")',
      'hour(now, "Europe/Paris")',
      '"oncall" in requester.groups',
    ])
      expect(conditions.some((c) => c.includes(shown))).toBe(true);
    const options = (pick: (r: (typeof rules)[number]) => boolean) => rules.filter(pick).map((r) => r.name);
    const decided = new Set(runCases(result.policy, cases.cases).map((r) => r.actual.rule));
    for (const names of [
      options((r) => r.risk === 'critical' && r.stepUp === 'mfa'),
      options((r) => r.breakGlass !== undefined),
      options((r) => r.standing !== undefined),
      options((r) => r.amend === false),
      options((r) => r.when !== undefined),
    ]) {
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(decided.has(name), `a case reaches ${name}`).toBe(true);
    }
  });

  // The README's agent billing-bot is alice's: a group whose only email member is alice could never
  // approve (nor sign off the break-glass of) anything billing-bot asks for that lands there.
  it("gives every approver group someone besides alice, who owns the README's agent", () => {
    const result = parsePolicy(policyText, 'countersign.policy.yaml');
    if (!result.ok) throw new Error('the example policy does not load');
    const { policy } = result;
    const approverGroups = new Set(
      [...policy.rules, ...(policy.default ? [policy.default] : [])].flatMap((r) =>
        r.effect === 'review' ? r.approvers : [],
      ),
    );
    const alone = [...approverGroups].filter(
      (group) =>
        !(policy.groups[group] ?? []).some(
          (m) => m.includes('@') && !m.startsWith('slack:') && m !== 'alice@example.com',
        ),
    );
    expect(alone).toEqual([]);
  });

  it('passes every case in examples/policy-cases.yaml', () => {
    const policy = parsePolicy(policyText, 'countersign.policy.yaml');
    const cases = parseCases(casesText, 'examples/policy-cases.yaml');
    if (!policy.ok || !cases.ok) throw new Error('the example files do not load');
    const results = runCases(policy.policy, cases.cases);
    expect(results.length).toBeGreaterThanOrEqual(8);
    expect(
      results.filter((r) => !r.pass),
      formatCaseResults(results),
    ).toEqual([]);
  });
});
