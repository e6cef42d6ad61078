import { describe, expect, it } from 'vitest';
import { formatCaseResults, parseCases, runCases } from '../../src/policy/index';
import { load, yaml } from './helpers';

// `policy test` for the review options of issue 16: a case states them as the file does, and a
// failing case shows them the same way (true/false, mfa/passkey/none), never as an object.
const policy = load(
  yaml(
    'version: 1',
    'groups: { sre: [a@example.com] }',
    'rules:',
    '  - name: drops',
    '    match: { action: "db.drop*" }',
    '    effect: review',
    '    approvers: [sre]',
    '    risk: critical',
    '    breakGlass: { notify: "#s", reviewWithin: 1h }',
    '  - name: keys',
    '    match: { action: "iam.*" }',
    '    effect: review',
    '    approvers: [sre]',
    '    stepUp: passkey',
    '    amend: false',
    '  - name: critical-but-none',
    '    match: { action: "ops.*" }',
    '    effect: review',
    '    approvers: [sre]',
    '    risk: critical',
    '    stepUp: none',
    // Standing only beside no step-up: `policy check` refuses it on a rule that asks for one.
    '    standing: { max: 1h, uses: 2 }',
    'default: { effect: allow }',
  ),
);

const run = (...lines: string[]) => {
  const parsed = parseCases(yaml('cases:', ...lines), 'cases.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return runCases(policy, parsed.cases);
};

describe('policy test: stepUp and the review options', () => {
  it('expects the step-up an approval needs: critical implies mfa, a rule may say passkey or none', () => {
    const results = run(
      '  - name: critical needs mfa',
      '    request: { action: db.dropTable, requester: "agent:a" }',
      '    expect: { effect: review, risk: critical, stepUp: mfa }',
      '  - name: passkey',
      '    request: { action: iam.attach, requester: "agent:a" }',
      '    expect: { effect: review, stepUp: passkey, amend: false }',
      '  - name: critical without step-up',
      '    request: { action: ops.restart, requester: "agent:a" }',
      '    expect: { effect: review, risk: critical, stepUp: none }',
      '  - name: an allow needs none',
      '    request: { action: read, requester: "agent:a" }',
      '    expect: { effect: allow, stepUp: none }',
      '  - name: wrong',
      '    request: { action: db.dropTable, requester: "agent:a" }',
      '    expect: { effect: review, stepUp: none }',
    );
    expect(results.map((r) => [r.name, r.pass])).toEqual([
      ['critical needs mfa', true],
      ['passkey', true],
      ['critical without step-up', true],
      ['an allow needs none', true],
      ['wrong', false],
    ]);
  });

  it('refuses a stepUp it does not know, at its position', () => {
    const parsed = parseCases(
      yaml(
        'cases:',
        '  - name: x',
        '    request: { action: a, requester: "agent:a" }',
        '    expect: { effect: allow, stepUp: sms }',
      ),
      'cases.yaml',
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.problems[0]).toMatchObject({
        line: 4,
        message: expect.stringMatching(/stepUp: must be mfa, passkey or none/),
      });
  });

  it('a failing case shows the options it compared as the case wrote them', () => {
    const report = formatCaseResults(
      run(
        '  - name: x',
        '    request: { action: db.dropTable, requester: "agent:a" }',
        '    expect: { effect: review, amend: false, standing: true, breakGlass: false, stepUp: passkey }',
      ),
    );
    expect(report).toContain(
      '  + actual    effect: review, rule: drops, amend: true, standing: false, breakGlass: true, stepUp: mfa',
    );
    expect(report).not.toContain('[object Object]');
  });
});

describe('policy test: a case without source or initiator is what the server makes of one', () => {
  it('is from api, as a submission without a source is, and reads context.initiator', () => {
    const apiOnly = load(
      yaml(
        'version: 1',
        'rules:',
        '  - name: api-writes',
        '    match: { action: "db.*", source: api }',
        '    effect: deny',
        '    reason: write through the SDK',
        '  - name: copilots',
        '    match: { action: "aws.**", initiator: "copilot:*" }',
        '    effect: deny',
        '    reason: not copilots',
        '  - name: said-api',
        '    match: { action: "ops.*" }',
        '    when: source == "api"',
        '    effect: deny',
        '    reason: no',
        'default: { effect: allow }',
      ),
    );
    const parsed = parseCases(
      yaml(
        'cases:',
        '  - name: no source is api',
        '    request: { action: db.write, requester: "agent:a" }',
        '    expect: { effect: deny, rule: api-writes }',
        '  - name: a condition reads api too',
        '    request: { action: ops.restart, requester: "agent:a" }',
        '    expect: { effect: deny, rule: said-api }',
        '  - name: context.initiator is the initiator, as at the server',
        '    request: { action: aws.iam.attach, requester: "user:c@example.com", context: { initiator: "copilot:q" } }',
        '    expect: { effect: deny, rule: copilots }',
        '  - name: another source is not',
        '    request: { action: db.write, requester: "agent:a", source: sdk }',
        '    expect: { effect: allow, rule: default }',
      ),
      'cases.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(runCases(apiOnly, parsed.cases).map((r) => [r.name, r.pass])).toEqual([
      ['no source is api', true],
      ['a condition reads api too', true],
      ['context.initiator is the initiator, as at the server', true],
      ['another source is not', true],
    ]);
  });
});
