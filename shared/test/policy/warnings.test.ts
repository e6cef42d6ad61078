import { describe, expect, it } from 'vitest';
import { formatProblem, policyWarnings } from '../../src/policy/index';
import { load, yaml } from './helpers';

/** The warnings for rules given as flow maps, in order, each allowing what it matches. */
function shadowed(...matches: string[]): string[] {
  const text = yaml(
    'version: 1',
    'rules:',
    ...matches.map((match, i) => `  - { name: r${i}, match: ${match}, effect: allow }`),
  );
  return policyWarnings(load(text), text, 'test.yaml', { slack: true }).map(formatProblem);
}

const never = (later: number, earlier: number) =>
  `rules[${later}]: warning: rule "r${later}" can never match: the earlier rule "r${earlier}" matches every request it does`;

describe('policyWarnings: a rule an earlier rule shadows', () => {
  it.each([
    ['identical globs', '{ action: "db.*" }', '{ action: "db.*" }'],
    ['a literal the earlier glob matches', '{ action: "db.*" }', '{ action: db.drop }'],
    ['a catch-all **', '{ action: "**", environment: prod }', '{ action: "s3.put.x", environment: prod }'],
    ['a case-insensitive key', '{ environment: prod }', '{ environment: PROD, action: x }'],
    ['every glob of a list', '{ action: [a, b, "c.*"] }', '{ action: [b, c.d] }'],
    ['a plain * on an environment', '{ environment: "*" }', '{ environment: "prod-*" }'],
  ])('warns for %s', (_, earlier, later) => {
    expect(shadowed(earlier, later)).toEqual([`test.yaml:4:5 ${never(1, 0)}`]);
  });

  it.each([
    ['a key the later rule leaves out', '{ action: "db.*", environment: prod }', '{ action: db.drop }'],
    ['a glob the earlier one may not cover', '{ action: "db.*" }', '{ action: "db.*.x" }'],
    ['one * that stops at a dot', '{ action: "*" }', '{ action: db.drop }'],
    ['a case-sensitive resource', '{ resource: bucket }', '{ resource: Bucket }'],
    ['a later glob wider than the earlier', '{ environment: prod }', '{ environment: "prod*" }'],
    ['one list element not covered', '{ action: [a, b] }', '{ action: [b, c] }'],
  ])('stays quiet for %s', (_, earlier, later) => {
    expect(shadowed(earlier, later)).toEqual([]);
  });

  it('stays quiet after an earlier rule with the same match and a when:, and warns after one without', () => {
    const text = yaml(
      'version: 1',
      'groups: { owners: [a@example.com] }',
      'rules:',
      `  - { name: r0, match: { action: db.export }, when: "params.rows > 10000", effect: review, approvers: [owners] }`,
      '  - { name: r1, match: { action: db.export }, effect: allow }',
      '  - { name: r2, match: { action: db.export }, effect: allow }',
    );
    expect(policyWarnings(load(text), text, 'test.yaml', { slack: true }).map(formatProblem)).toEqual([
      `test.yaml:6:5 rules[2]: warning: rule "r2" can never match: the earlier rule "r1" matches every request it does`,
    ]);
  });

  it('names the first earlier rule that shadows, once', () => {
    expect(shadowed('{ action: x }', '{ action: "**" }', '{ action: x }')).toEqual([
      `test.yaml:5:5 ${never(2, 0)}`,
    ]);
  });
});

describe('policyWarnings: a group only Slack can fill', () => {
  const text = yaml(
    'version: 1',
    'groups:',
    '  oncall: ["slack:@alice", "slack:@bob"]',
    '  mixed: ["slack:@carol", dan@example.com]',
    'rules:',
    '  - { name: r, match: {}, effect: review, approvers: [oncall, mixed] }',
  );

  it('warns when Slack is off', () => {
    expect(policyWarnings(load(text), text, 'test.yaml', { slack: false }).map(formatProblem)).toEqual([
      'test.yaml:3:3 groups.oncall: warning: every member is a slack:@handle, but Slack is not configured (SLACK_BOT_TOKEN is unset), so nobody can approve for this group',
    ]);
  });

  it('stays quiet when Slack is on', () => {
    expect(policyWarnings(load(text), text, 'test.yaml', { slack: true })).toEqual([]);
  });
});
