import { describe, expect, it } from 'vitest';
import {
  compileCondition,
  evaluate,
  groupIdpNames,
  groupMembers,
  groupsContaining,
  parseCases,
  policyWarnings,
  runCases,
} from '../../src/policy/index';
import { load, problems, yaml } from './helpers';

// `requester.groups` and approver eligibility are one notion of membership: a policy group may map an
// identity provider's group (`sre: [idp:"SRE On-Call"]`), and its SCIM members are then in it.
const policy = load(
  yaml(
    'version: 1',
    'groups:',
    '  sre: [alice@example.com, idp:"SRE On-Call", "slack:@sre"]',
    '  data-owners: [dana@example.com, idp:Data]',
    'rules:',
    '  - name: sre-reads-prod',
    '    match: { action: "db.read*" }',
    `    when: '"sre" in requester.groups'`,
    '    effect: allow',
    '  - name: big-exports',
    '    match: { action: db.export }',
    '    when: params.rows > 10000',
    '    effect: review',
    '    approvers: [sre]',
    '    minApprovals: 3',
    'default: { effect: deny, reason: no }',
  ),
);

describe('IdP groups mapped into policy groups', () => {
  it('keeps an idp:"…" member by its name, and leaves it out of the emails', () => {
    expect(policy.groups.sre).toEqual(['alice@example.com', 'idp:"SRE On-Call"', 'slack:@sre']);
    expect(policy.groups['data-owners']).toEqual(['dana@example.com', 'idp:"Data"']);
    expect(groupMembers(policy, ['sre', 'data-owners'])).toEqual(['alice@example.com', 'dana@example.com']);
  });

  it('groupIdpNames reaches IdP groups named as approvers and those mapped into policy groups', () => {
    expect(groupIdpNames(policy, ['sre'])).toEqual(['SRE On-Call']);
    expect(groupIdpNames(policy, ['idp:"Auditors"', 'data-owners', 'sre'])).toEqual([
      'Auditors',
      'Data',
      'SRE On-Call',
    ]);
  });

  it('does not count an IdP group as a fixed number of people (minApprovals 3 over 1 email loads)', () => {
    expect(policy.rules[1]?.effect).toBe('review');
  });

  it('still refuses a member that is neither an email, a Slack handle nor an IdP group', () => {
    expect(problems(yaml('version: 1', 'groups:', '  sre: [idp:""]'))).toEqual([
      'test.yaml:3:9 groups.sre[0]: "idp:""" is neither an email address, a slack:@handle nor an idp:"group"',
    ]);
  });

  it('groupsContaining asks the caller who is in each group (the server passes approver eligibility)', () => {
    const scim = new Map([['SRE On-Call', ['bob@example.com']]]);
    const eligible = (groups: readonly string[]) => [
      ...groupMembers(policy, groups),
      ...groupIdpNames(policy, groups).flatMap((name) => scim.get(name) ?? []),
    ];
    expect(groupsContaining(policy, 'Bob@Example.com', eligible)).toEqual(['sre']);
    expect(groupsContaining(policy, 'bob@example.com')).toEqual([]);
    expect(groupsContaining(policy, 'alice@example.com')).toEqual(['sre']);
  });
});

describe('policy check warns about a mapped IdP group SCIM has not provisioned', () => {
  it('at the member, naming the policy group it adds nobody to', () => {
    const text = yaml('version: 1', 'groups:', '  sre: [alice@example.com, idp:"SRE On-Call"]');
    expect(
      policyWarnings(load(text), text, 'test.yaml', { slack: true, idpGroups: ['sre on-call'] }),
    ).toEqual([]);
    expect(policyWarnings(load(text), text, 'test.yaml', { slack: true, idpGroups: [] })).toEqual([
      {
        file: 'test.yaml',
        line: 3,
        column: 28,
        message:
          'groups.sre[1]: warning: the identity provider has not provisioned a group "SRE On-Call" (yet), so it adds nobody to "sre" until it does',
      },
    ]);
  });
});

describe('policy check: "name" in requester.groups names a group of the policy', () => {
  it('reports a name that is not one at its place in the condition, with a did-you-mean', () => {
    const rule = (when: string) =>
      yaml(
        'version: 1',
        'groups: { sre: [a@example.com], data-owners: [d@example.com] }',
        'rules:',
        '  - name: r',
        '    match: {}',
        `    when: '${when}'`,
        '    effect: allow',
      );
    expect(problems(rule('requester.kind == "agent" && "sres" in requester.groups'))).toEqual([
      'test.yaml:6:41 rules[0].when: "sres" in requester.groups is never true: requester.groups holds this policy\'s groups, and "sres" is not one (did you mean "sre"? groups: sre, data-owners)',
    ]);
    expect(load(rule('"sre" in requester.groups || "data-owners" in requester.groups')).rules).toHaveLength(
      1,
    );
    // Only requester.groups is this policy's groups: other lists may hold any string.
    expect(load(rule('"sres" in params.tags')).rules).toHaveLength(1);
  });
});

describe('requester.groups is worked out only for a condition that reads it', () => {
  it('tells which conditions read requester.groups, however they reach it', () => {
    const reads = (text: string) => {
      const compiled = compileCondition(text);
      if (!compiled.ok) throw new Error(compiled.message);
      return compiled.condition.readsGroups;
    };
    expect(reads('"sre" in requester.groups')).toBe(true);
    expect(reads('requester.groups.exists(g, g.startsWith("data"))')).toBe(true);
    expect(reads('has(requester.groups)')).toBe(true);
    // `requester` handed on whole could be read for its groups further on.
    expect(reads('[requester][0].groups.size() > 0')).toBe(true);
    expect(reads('requester.kind == "agent" && requester.owner != ""')).toBe(false);
    expect(reads('params.rows > 10000')).toBe(false);
    expect(reads('[1].exists(requester, requester > 0)')).toBe(false);
  });

  it('calls the groups function only when a matching rule has such a condition', () => {
    let calls = 0;
    const groups = () => {
      calls += 1;
      return ['sre'];
    };
    const asked = (action: string, params?: Record<string, unknown>) =>
      evaluate(policy, { action, requester: 'agent:etl', owner: 'bob@example.com', params, groups });
    expect(asked('db.export', { rows: 5 }).rule).toBe('default');
    expect(asked('deploy.web').rule).toBe('default');
    expect(calls).toBe(0);
    expect(asked('db.readRows').rule).toBe('sre-reads-prod');
    expect(calls).toBe(1);
  });
});

describe('policy test: a case without groups is in the groups the policy lists it in', () => {
  const cases = parseCases(
    yaml(
      'cases:',
      '  - name: alice is in sre by the file',
      '    request: { action: db.readRows, requester: "user:alice@example.com" }',
      '    expect: { effect: allow, rule: sre-reads-prod }',
      '  - name: an agent of alice is in sre through its owner',
      '    request: { action: db.readRows, requester: "agent:etl", owner: alice@example.com }',
      '    expect: { effect: allow, rule: sre-reads-prod }',
      '  - name: bob is in sre only through the IdP, which a case states with groups',
      '    request: { action: db.readRows, requester: "user:bob@example.com", groups: [sre] }',
      '    expect: { effect: allow, rule: sre-reads-prod }',
      '  - name: given groups replace what the file says',
      '    request: { action: db.readRows, requester: "user:alice@example.com", groups: [] }',
      '    expect: { effect: deny, rule: default }',
      '  - name: dana is not in sre',
      '    request: { action: db.readRows, requester: "user:dana@example.com" }',
      '    expect: { effect: deny, rule: default }',
    ),
    'cases.yaml',
  );

  it('matches what the server decides for the people the file lists', () => {
    if (!cases.ok) throw new Error('cases did not parse');
    const results = runCases(policy, cases.cases);
    expect(results.map((r) => [r.name, r.pass, r.actual.rule])).toEqual([
      ['alice is in sre by the file', true, 'sre-reads-prod'],
      ['an agent of alice is in sre through its owner', true, 'sre-reads-prod'],
      ['bob is in sre only through the IdP, which a case states with groups', true, 'sre-reads-prod'],
      ['given groups replace what the file says', true, 'default'],
      ['dana is not in sre', true, 'default'],
    ]);
  });
});
