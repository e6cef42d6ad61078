import { describe, expect, it } from 'vitest';
import type { PolicyCase } from '../../src/policy/index';
import { formatCaseResults, formatProblem, parseCases, runCases } from '../../src/policy/index';
import { load, yaml } from './helpers';

const policy = load(
  yaml(
    'version: 1',
    'groups: { data-owners: [carol@example.com, dan@example.com], sre: [alice@example.com] }',
    'rules:',
    '  - name: reads-are-free',
    '    match: { action: "**.get*" }',
    '    effect: allow',
    '  - name: customer-export',
    '    match: { action: db.export, resource: "customers/**" }',
    '    effect: review',
    '    approvers: [data-owners]',
    '    minApprovals: 2',
    '    timeout: 30m',
    '  - { name: bulk-export, match: { action: db.exportAll }, effect: review, approvers: [data-owners, sre] }',
    'default: { effect: deny, reason: Not covered. }',
  ),
);

function cases(text: string): PolicyCase[] {
  const result = parseCases(text, 'cases.yaml');
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.cases;
}

const file = yaml(
  'cases:',
  '  - name: exporting customers needs two data owners',
  '    request: { action: db.export, resource: customers/eu, environment: prod, requester: "agent:billing-bot", source: api }',
  '    expect: { effect: review, rule: customer-export, approvers: [data-owners], minApprovals: 2, timeout: 30m }',
  '  - name: reads are free',
  '    request: { action: aws.s3.getObject, requester: "agent:billing-bot" }',
  '    expect: { effect: allow }',
);

describe('parseCases', () => {
  it('reads each case with its line, request and expectation (durations in ms)', () => {
    expect(cases(file)).toEqual([
      {
        name: 'exporting customers needs two data owners',
        line: 2,
        request: {
          action: 'db.export',
          resource: 'customers/eu',
          environment: 'prod',
          requester: 'agent:billing-bot',
          source: 'api',
        },
        expect: {
          effect: 'review',
          rule: 'customer-export',
          approvers: ['data-owners'],
          minApprovals: 2,
          timeoutMs: 1_800_000,
        },
      },
      {
        name: 'reads are free',
        line: 5,
        request: { action: 'aws.s3.getObject', requester: 'agent:billing-bot' },
        expect: { effect: 'allow' },
      },
    ]);
  });

  it('reports problems with positions: unknown keys, missing fields, bad effect, duplicate names', () => {
    const result = parseCases(
      yaml(
        'cases:',
        '  - name: a',
        '    request: { action: x, requestor: "agent:y" }',
        '    expect: { effect: approve }',
        '  - name: a',
        '    request: { action: x, requester: "agent:y" }',
        '  - name: c',
        '    request: { action: x, requester: "agent:y" }',
        '    expect: { effect: allow, rul: r }',
      ),
      'cases.yaml',
    );
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'cases.yaml:3:5 cases[0].request: missing required key "requester"',
      'cases.yaml:3:27 cases[0].request.requestor: unknown key "requestor" (did you mean "requester"?)',
      'cases.yaml:4:23 cases[0].expect.effect: must be allow, deny or review',
      'cases.yaml:5:5 cases[1]: missing required key "expect"',
      'cases.yaml:5:11 cases[1].name: duplicate case name "a" (first at line 2)',
      'cases.yaml:9:30 cases[2].expect.rul: unknown key "rul" (did you mean "rule"?)',
    ]);
  });

  it('reads an initiator in a request and evaluates it', () => {
    const text = yaml(
      'cases:',
      '  - name: a copilot needs review',
      '    request: { action: aws.iam.AttachRolePolicy, requester: "user:carol@example.com", source: extension, initiator: "copilot:amazon-q" }',
      '    expect: { effect: review, rule: copilot }',
      '  - name: the person at the page does not',
      '    request: { action: aws.iam.AttachRolePolicy, requester: "user:carol@example.com", source: extension, initiator: page }',
      '    expect: { effect: deny, rule: default }',
    );
    const parsed = cases(text);
    expect(parsed.map((c) => c.request.initiator)).toEqual(['copilot:amazon-q', 'page']);
    const withCopilotRule = load(
      yaml(
        'version: 1',
        'groups: { sre: [alice@example.com] }',
        'rules:',
        '  - { name: copilot, match: { initiator: "copilot:*" }, effect: review, approvers: [sre] }',
        'default: { effect: deny, reason: Not covered. }',
      ),
    );
    expect(runCases(withCopilotRule, parsed).map((r) => [r.name, r.pass])).toEqual([
      ['a copilot needs review', true],
      ['the person at the page does not', true],
    ]);
  });

  it('refuses a file without cases', () => {
    const result = parseCases('cases: []\n', 'cases.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'cases.yaml:1:8 cases: expected at least one case',
    ]);
    const empty = parseCases('', 'cases.yaml');
    expect(empty.ok ? [] : empty.problems.map(formatProblem)).toEqual([
      'cases.yaml:1:1 the cases file is empty; it needs a list of cases',
    ]);
  });
});

describe('runCases', () => {
  it('passes cases whose expected fields all match, comparing approvers as a set', () => {
    const results = runCases(policy, cases(file));
    expect(results.map((r) => [r.name, r.pass, r.mismatches])).toEqual([
      ['exporting customers needs two data owners', true, []],
      ['reads are free', true, []],
    ]);
    expect(results[1]?.actual).toEqual({ effect: 'allow', rule: 'reads-are-free', grantTtlMs: 300_000 });
  });

  it('compares approvers as a set: their order in either file carries no meaning', () => {
    const text = yaml(
      'cases:',
      '  - name: bulk exports go to data owners and sre',
      '    request: { action: db.exportAll, requester: "agent:a" }',
      '    expect: { effect: review, approvers: [sre, data-owners] }',
    );
    expect(runCases(policy, cases(text)).map((r) => r.pass)).toEqual([true]);
  });

  it('fails a case on each field that differs and names those fields', () => {
    const [result] = runCases(
      policy,
      cases(
        yaml(
          'cases:',
          '  - name: exports of orders need review',
          '    request: { action: db.export, resource: orders/eu, requester: "agent:billing-bot" }',
          '    expect: { effect: review, rule: customer-export, minApprovals: 2 }',
        ),
      ),
    );
    expect(result).toMatchObject({
      pass: false,
      expected: { effect: 'review', rule: 'customer-export', minApprovals: 2 },
      actual: { effect: 'deny', rule: 'default', reason: 'Not covered.' },
      mismatches: ['effect', 'rule', 'minApprovals'],
    });
  });
});

describe('formatCaseResults', () => {
  it('lists passing cases, shows expected / actual for a mismatch, and sums up', () => {
    const results = runCases(
      policy,
      cases(
        yaml(
          'cases:',
          '  - name: reads are free',
          '    request: { action: db.getRow, requester: "agent:a" }',
          '    expect: { effect: allow, rule: reads-are-free }',
          '  - name: exports of orders need review',
          '    request: { action: db.export, resource: orders/eu, requester: "agent:a" }',
          '    expect: { effect: review, rule: customer-export, minApprovals: 2, timeout: 30m }',
          '  - name: customer exports need three',
          '    request: { action: db.export, resource: customers/eu, requester: "agent:a" }',
          '    expect: { effect: review, approvers: [data-owners, sre], minApprovals: 3 }',
        ),
      ),
    );
    expect(formatCaseResults(results)).toBe(
      [
        'PASS  reads are free',
        'FAIL  exports of orders need review (line 5)',
        '  - expected  effect: review, rule: customer-export, minApprovals: 2, timeout: 30m',
        '  + actual    effect: deny, rule: default, minApprovals: (none), timeout: (none)',
        '    differs   effect, rule, minApprovals, timeout',
        'FAIL  customer exports need three (line 8)',
        '  - expected  effect: review, approvers: [data-owners, sre], minApprovals: 3',
        '  + actual    effect: review, rule: customer-export, approvers: [data-owners], minApprovals: 2',
        '    differs   approvers, minApprovals',
        '3 cases: 1 passed, 2 failed',
      ].join('\n'),
    );
  });

  it('quotes values with spaces so a reason reads unambiguously', () => {
    const results = runCases(
      policy,
      cases(
        yaml(
          'cases:',
          '  - name: n',
          '    request: { action: x, requester: y }',
          '    expect: { effect: deny, reason: Not covered }',
        ),
      ),
    );
    expect(formatCaseResults(results)).toContain(
      '  + actual    effect: deny, rule: default, reason: "Not covered."',
    );
  });
});
