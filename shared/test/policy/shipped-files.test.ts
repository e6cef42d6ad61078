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
