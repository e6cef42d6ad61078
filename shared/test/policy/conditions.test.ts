import { describe, expect, it } from 'vitest';
import { conditionInWords, evaluate, formatCaseResults, parseCases, runCases } from '../../src/policy/index';
import { load, problems, yaml } from './helpers';

const PII = yaml(
  'version: 1',
  'groups:',
  '  dpo: [dana@example.com]',
  'rules:',
  '  - name: pii-to-unknown-bucket',
  '    match: { action: aws.s3.PutObject, environment: prod }',
  `    when: 'params.pii == true && !params.bucket.endsWith(".corp-internal")'`,
  '    effect: review',
  '    approvers: [dpo]',
  '    risk: high',
  '  - name: big-export',
  '    match: { action: db.export }',
  '    when: params.rows > 10000',
  '    effect: review',
  '    approvers: [dpo]',
  '  - name: small-export',
  '    match: { action: db.export }',
  '    when: params.rows <= 10000',
  '    effect: allow',
  'default: { effect: allow }',
);

const put = (params: Record<string, unknown>) =>
  evaluate(load(PII), {
    action: 'aws.s3.PutObject',
    environment: 'prod',
    requester: 'agent:etl',
    params,
  });

describe('when: conditions', () => {
  it('holds the request only when the condition is true, and says which condition', () => {
    const held = put({ pii: true, bucket: 'dump.example.com' });
    expect(held).toMatchObject({
      effect: 'review',
      rule: 'pii-to-unknown-bucket',
      risk: 'high',
      condition: 'params.pii == true && !params.bucket.endsWith(".corp-internal")',
    });
    expect(put({ pii: true, bucket: 'lake.corp-internal' })).toMatchObject({
      effect: 'allow',
      rule: 'default',
    });
    expect(put({ pii: false, bucket: 'dump.example.com' })).toMatchObject({
      effect: 'allow',
      rule: 'default',
    });
  });

  it('fails closed: a review rule whose condition cannot be read holds the request', () => {
    const decision = put({ pii: true });
    expect(decision).toMatchObject({ effect: 'review', rule: 'pii-to-unknown-bucket' });
    expect(decision.conditionErrors).toEqual([
      { rule: 'pii-to-unknown-bucket', error: 'field not found: bucket' },
    ]);
  });

  it('fails closed: an allow rule whose condition cannot be read does not allow', () => {
    const policy = load(PII);
    // `rows` as a string: > 10000 has no overload, so big-export holds (review) and never reaches small-export.
    expect(
      evaluate(policy, { action: 'db.export', requester: 'agent:a', params: { rows: 'many' } }),
    ).toMatchObject({
      effect: 'review',
      rule: 'big-export',
    });
    const allowOnly = load(
      yaml(
        'version: 1',
        'rules:',
        '  - name: small',
        '    match: { action: db.export }',
        '    when: params.rows <= 10000',
        '    effect: allow',
        'default: { effect: deny, reason: no }',
      ),
    );
    const decision = evaluate(allowOnly, { action: 'db.export', requester: 'agent:a', params: {} });
    expect(decision).toMatchObject({ effect: 'deny', rule: 'default' });
    expect(decision.conditionErrors?.[0]?.rule).toBe('small');
  });

  it('reads the requester, their groups and the time in a named zone', () => {
    const policy = load(
      yaml(
        'version: 1',
        'groups:',
        '  oncall: [olga@example.com]',
        'rules:',
        '  - name: after-hours',
        '    match: { action: "deploy.*" }',
        `    when: 'weekday(now, "Europe/Paris") in ["Sat", "Sun"] || hour(now, "Europe/Paris") < 9 || hour(now, "Europe/Paris") >= 18'`,
        '    effect: review',
        '    approvers: [oncall]',
        '  - name: oncall-owner',
        '    match: { action: "db.*" }',
        `    when: 'requester.kind == "agent" && "oncall" in requester.groups && requester.owner.endsWith("@example.com")'`,
        '    effect: allow',
        'default: { effect: deny, reason: no }',
      ),
    );
    // 2026-11-30 is a Monday; 07:30 UTC is 08:30 in Paris, before business hours.
    const monday = (utc: string) => Date.parse(`2026-11-30T${utc}Z`);
    const deploy = (now: number) =>
      evaluate(policy, { action: 'deploy.web', requester: 'agent:ci', now }).rule;
    expect(deploy(monday('07:30:00'))).toBe('after-hours');
    expect(deploy(monday('10:00:00'))).toBe('default');
    expect(deploy(Date.parse('2026-11-28T12:00:00Z'))).toBe('after-hours');
    const db = (groups: string[]) =>
      evaluate(policy, {
        action: 'db.read',
        requester: 'agent:bot',
        requesterKind: 'agent',
        owner: 'olga@example.com',
        groups,
      }).effect;
    expect(db(['oncall'])).toBe('allow');
    expect(db([])).toBe('deny');
  });

  it('bounds the cost: params too large to read fail closed', () => {
    const decision = put({ pii: true, bucket: 'x', blob: 'a'.repeat(70_000) });
    expect(decision).toMatchObject({ effect: 'review', rule: 'pii-to-unknown-bucket' });
    expect(decision.conditionErrors?.[0]?.error).toMatch(/exceed/);
  });
});

describe('when: problems at load, with their place in the file', () => {
  const rule = (when: string) =>
    problems(
      yaml(
        'version: 1',
        'rules:',
        '  - name: r',
        '    match: { action: db.export }',
        `    when: ${when}`,
        '    effect: allow',
      ),
    );

  it('a syntax error points into the expression', () => {
    expect(rule('params.rows >')).toEqual([
      expect.stringMatching(/^test\.yaml:5:23 rules\[0\]\.when: CEL syntax error/),
    ]);
  });

  it('an unknown name, with a hint', () => {
    expect(rule('parms.rows > 1')).toEqual([
      'test.yaml:5:11 rules[0].when: unknown name "parms" (did you mean "params"?); a condition sees action, resource, environment, params, context, requester, source, now',
    ]);
  });

  it('a type error: a string compared with a number, in quotes', () => {
    expect(rule(`'environment == 1'`)).toEqual([
      'test.yaml:5:24 rules[0].when: cannot compare a string with a int (==)',
    ]);
  });

  it('an unknown function, a field the requester lacks, a non-boolean result, a bad time zone', () => {
    expect(rule('params.b.endWith("x")')).toEqual([
      expect.stringMatching(
        /^test\.yaml:5:\d+ rules\[0\]\.when: unknown function "endWith" \(did you mean "endsWith"\?\)/,
      ),
    ]);
    expect(rule('requester.team == "x"')).toEqual([expect.stringMatching(/requester has no field "team"/)]);
    expect(rule(`'"a" + "b"'`)).toEqual([
      'test.yaml:5:12 rules[0].when: a condition must be true or false, and this one is a string',
    ]);
    expect(rule(`'hour(now, "Mars/Olympus") > 3'`)).toEqual([
      expect.stringMatching(/"Mars\/Olympus" is not an IANA time zone name/),
    ]);
  });

  it('in a | block, the line and column of the problem', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'rules:',
          '  - name: r',
          '    match: { action: db.export }',
          '    when: |',
          '      params.rows > 10 &&',
          '        parms.pii',
          '    effect: allow',
        ),
      ),
    ).toEqual([expect.stringMatching(/^test\.yaml:7:9 rules\[0\]\.when: unknown name "parms"/)]);
  });

  it('a loop inside a loop costs too much', () => {
    expect(rule(`'params.a.exists(x, params.b.exists(y, x == y))'`)).toEqual([
      expect.stringMatching(/a loop .* inside another is not allowed/),
    ]);
  });

  it('risk must be one of four', () => {
    expect(
      problems(
        yaml('version: 1', 'rules:', '  - name: r', '    match: {}', '    effect: allow', '    risk: severe'),
      ),
    ).toEqual(['test.yaml:6:11 rules[0].risk: must be low, medium, high or critical']);
  });
});

describe('policy test cases cover conditions', () => {
  it('a case gives params, owner, groups and a time, and expects the condition and the risk', () => {
    const cases = parseCases(
      yaml(
        'cases:',
        '  - name: pii to an outside bucket is held',
        '    request:',
        '      action: aws.s3.PutObject',
        '      environment: prod',
        '      requester: agent:etl',
        '      owner: dana@example.com',
        '      groups: [dpo]',
        '      now: 2026-11-28T22:00:00Z',
        '      params: { pii: true, bucket: dump.example.com }',
        '    expect:',
        '      effect: review',
        '      rule: pii-to-unknown-bucket',
        '      risk: high',
        `      condition: 'params.pii == true && !params.bucket.endsWith(".corp-internal")'`,
        '  - name: a small export is allowed',
        '    request: { action: db.export, requester: agent:etl, params: { rows: 10 } }',
        '    expect: { effect: allow, rule: small-export, risk: low }',
      ),
      'cases.yaml',
    );
    if (!cases.ok) throw new Error(JSON.stringify(cases.problems));
    const results = runCases(load(PII), cases.cases);
    expect(results.map((r) => r.pass)).toEqual([true, false]);
    expect(formatCaseResults(results)).toContain('differs   risk');
  });
});

describe('a condition in words, for reviewers', () => {
  it.each([
    ['params.rows > 10000', 'params.rows is more than 10000'],
    [
      'params.pii == true && !params.bucket.endsWith(".corp-internal")',
      'params.pii is true and params.bucket does not end with ".corp-internal"',
    ],
    ['!(environment == "prod" || params.force)', 'environment is not "prod" and params.force is not true'],
    [
      'weekday(now, "Europe/Paris") in ["Sat", "Sun"]',
      'the weekday in Europe/Paris is one of ["Sat", "Sun"]',
    ],
    ['size(params.ids) >= 50', 'the size of params.ids is at least 50'],
    ['"oncall" in requester.groups', 'the requester is in the group "oncall"'],
    ['!("sre" in requester.groups)', 'the requester is not in the group "sre"'],
    // One joiner repeated needs no brackets; a mix keeps them.
    [
      'weekday(now, "Europe/Paris") in ["Sat", "Sun"] || hour(now, "Europe/Paris") < 9 || hour(now, "Europe/Paris") >= 18',
      'the weekday in Europe/Paris is one of ["Sat", "Sun"] or the hour in Europe/Paris is less than 9 or the hour in Europe/Paris is at least 18',
    ],
    ['(a || b) && c', '(a is true or b is true) and c is true'],
    ['!(a && b && c)', 'a is not true or b is not true or c is not true'],
    // What has no words is shown as written.
    ['params.items.exists(i, i.price > 100)', 'params.items.exists(i, i.price > 100)'],
  ])('%s', (condition, words) => {
    expect(conditionInWords(condition)).toBe(words);
  });
});

describe('review options: amend, breakGlass, standing', () => {
  const REVIEW = [
    'version: 1',
    'groups:',
    '  sre: [a@example.com]',
    'rules:',
    '  - name: fix',
    '    match: { action: "prod.*" }',
    '    effect: review',
    '    approvers: [sre]',
  ];

  it('load into the decision, and policy test cases check them', () => {
    const policy = load(
      yaml(
        ...REVIEW,
        '    amend: false',
        '    breakGlass: { notify: "#security", reviewWithin: 24h }',
        '    standing: { max: 1h, uses: 20 }',
      ),
    );
    expect(evaluate(policy, { action: 'prod.fix', requester: 'agent:a' })).toMatchObject({
      amend: false,
      breakGlass: { notify: ['#security'], reviewWithinMs: 86_400_000 },
      standing: { maxMs: 3_600_000, uses: 20 },
    });
    const cases = parseCases(
      yaml(
        'cases:',
        '  - name: options',
        '    request: { action: prod.fix, requester: "agent:a" }',
        '    expect: { effect: review, amend: false, breakGlass: true, standing: true }',
        '  - name: wrong',
        '    request: { action: prod.fix, requester: "agent:a" }',
        '    expect: { effect: review, breakGlass: false }',
      ),
      'c.yaml',
    );
    if (!cases.ok) throw new Error(JSON.stringify(cases.problems));
    expect(runCases(policy, cases.cases).map((r) => r.pass)).toEqual([true, false]);
  });

  it('policy check: they apply to review rules only, with their own shapes', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'rules:',
          '  - name: r',
          '    match: {}',
          '    effect: allow',
          '    breakGlass: { notify: ["#s"], reviewWithin: 1h }',
          '    standing: { max: 1h, uses: 0 }',
        ),
      ),
    ).toEqual([
      'test.yaml:6:5 rules[0].breakGlass: does not apply to effect allow',
      'test.yaml:7:5 rules[0].standing: does not apply to effect allow',
      'test.yaml:7:32 rules[0].standing.uses: expected a whole number, at least 1',
    ]);
    expect(problems(yaml(...REVIEW, '    breakGlass: { notify: ["#s"] }'))).toEqual([
      expect.stringMatching(
        /^test\.yaml:9:17 rules\[0\]\.breakGlass: missing required key "reviewWithin"|^test\.yaml:9:\d+ .*reviewWithin/,
      ),
    ]);
  });
});
