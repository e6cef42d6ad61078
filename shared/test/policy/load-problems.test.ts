import { describe, expect, it } from 'vitest';
import { formatProblem, parsePolicy } from '../../src/policy/index';
import { problems, yaml } from './helpers';

describe('formatProblem', () => {
  it('writes file:line:column message', () => {
    expect(formatProblem({ file: 'p.yaml', line: 3, column: 7, message: 'bad' })).toBe('p.yaml:3:7 bad');
  });
});

describe('parsePolicy problems', () => {
  it('reports every problem of a file at once, in file order', () => {
    expect(
      problems(
        yaml(
          'version: 2',
          'groups:',
          '  sre: [alice@example.com]',
          'rules:',
          '  - name: export',
          '    match: { action: db.export }',
          '    effect: review',
          '    aprovers: [sre]',
          '  - name: drop',
          '    match: { action: "db.drop*" }',
          '    effect: deny',
        ),
      ),
    ).toEqual([
      'test.yaml:1:10 version: must be 1, the only version of the policy format',
      'test.yaml:5:5 rules[0]: effect review needs approvers: one or more groups',
      'test.yaml:8:5 rules[0].aprovers: unknown key "aprovers" (did you mean "approvers"?)',
      'test.yaml:9:5 rules[1]: effect deny needs a reason, which is shown to whoever asked',
    ]);
  });

  it('reports a YAML syntax error with its position and nothing else', () => {
    expect(problems(yaml('version: 1', 'rules: [', '  - name: x'))).toEqual([
      'test.yaml:3:3 Block collections are not allowed within flow collections',
      'test.yaml:4:1 Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports a duplicate key at its second occurrence, together with the other problems', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'rules:',
          '  - name: a',
          '    match: {}',
          '    name: b',
          '    effect: allow',
          'version: 1',
        ),
      ),
    ).toEqual(['test.yaml:5:5 duplicate key "name"', 'test.yaml:7:1 duplicate key "version"']);
    expect(problems(yaml('version: 1', 'groups: { sre: [a@b.co], sre: [c@d.co] }', 'rules: 5'))).toEqual([
      'test.yaml:2:26 duplicate key "sre"',
      'test.yaml:3:8 rules: expected a list of rules',
    ]);
  });

  it('names an unknown key at every level, with a hint when one is close', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'defaults: { timeot: 5m }',
          'rules:',
          '  - name: r',
          '    match: { acton: x, colour: red }',
          '    effect: allow',
          'rule: []',
        ),
      ),
    ).toEqual([
      'test.yaml:2:13 defaults.timeot: unknown key "timeot" (did you mean "timeout"?)',
      'test.yaml:5:14 rules[0].match.acton: unknown key "acton" (did you mean "action"?)',
      'test.yaml:5:24 rules[0].match.colour: unknown key "colour"',
      'test.yaml:7:1 rule: unknown key "rule" (did you mean "rules"?)',
    ]);
  });

  it('points a missing required key at the map that lacks it', () => {
    expect(
      problems(
        yaml('rules:', '  - match: { action: x }', '    channel: "#x"', '  - { name: b, effect: allow }'),
      ),
    ).toEqual([
      'test.yaml:1:1 missing required key "version"',
      'test.yaml:2:5 rules[0]: missing required key "name"',
      'test.yaml:2:5 rules[0]: missing required key "effect"',
      'test.yaml:4:5 rules[1]: missing required key "match"',
    ]);
  });

  it('refuses an unknown approver group, listing the groups there are', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'groups: { sre: [a@b.co], security: [c@d.co] }',
          'rules:',
          '  - { name: r, match: {}, effect: review, approvers: [sre, sres] }',
          'default: { effect: review, approvers: nobody }',
        ),
      ),
    ).toEqual([
      'test.yaml:4:60 rules[0].approvers[1]: unknown group "sres" (did you mean "sre"? groups: sre, security)',
      'test.yaml:5:39 default.approvers: unknown group "nobody" (groups: sre, security)',
    ]);
  });

  it('refuses a deny without a reason and keys that do not apply to the effect', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'groups: { sre: [a@b.co] }',
          'rules:',
          '  - name: d',
          '    match: { action: x }',
          '    effect: deny',
          '    approvers: [sre]',
          '  - name: a',
          '    match: { action: y }',
          '    effect: allow',
          '    reason: why not',
          '    timeout: 5m',
          '  - name: r',
          '    match: { action: z }',
          '    effect: review',
          '    approvers: [sre]',
          '    reason: why',
        ),
      ),
    ).toEqual([
      'test.yaml:4:5 rules[0]: effect deny needs a reason, which is shown to whoever asked',
      'test.yaml:7:5 rules[0].approvers: does not apply to effect deny',
      'test.yaml:11:5 rules[1].reason: does not apply to effect allow',
      'test.yaml:12:5 rules[1].timeout: does not apply to effect allow',
      'test.yaml:17:5 rules[2].reason: does not apply to effect review',
    ]);
  });

  it('refuses a minApprovals the approver groups can never reach, counting each person once', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'groups:',
          '  sre: [alice@example.com, bob@example.com]',
          '  leads: [Alice@Example.com]',
          '  empty: []',
          'rules:',
          '  - { name: a, match: { action: a }, effect: review, approvers: [sre, leads], minApprovals: 3 }',
          '  - { name: b, match: { action: b }, effect: review, approvers: [sre, leads], minApprovals: 2 }',
          '  - { name: c, match: { action: c }, effect: review, approvers: [empty] }',
        ),
      ),
    ).toEqual([
      'test.yaml:7:93 rules[0].minApprovals: needs 3 approvals but sre + leads have only 2 distinct members, so this rule could never be approved',
      'test.yaml:9:65 rules[2].approvers: needs 1 approval but empty has only 0 distinct members, so this rule could never be approved',
    ]);
  });

  it('does not count a group with a slack:@handle entry, which a Slack resolver may expand', () => {
    const text = yaml(
      'version: 1',
      'groups: { oncall: [a@b.co, "slack:@sre-oncall"] }',
      'default: { effect: review, approvers: [oncall], minApprovals: 3 }',
    );
    expect(parsePolicy(text, 'test.yaml').ok).toBe(true);
  });

  it('refuses duplicate rule names and the reserved name "default"', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'rules:',
          '  - { name: a, match: { action: x }, effect: allow }',
          '  - { name: default, match: { action: y }, effect: allow }',
          '  - { name: a, match: { action: z }, effect: allow }',
        ),
      ),
    ).toEqual([
      'test.yaml:4:13 rules[1].name: "default" is reserved for the default rule',
      'test.yaml:5:13 rules[2].name: duplicate rule name "a" (first at line 3)',
    ]);
  });

  it('refuses rules that a catch-all rule before them makes unreachable, once', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'rules:',
          '  - { name: everything, match: {}, effect: allow }',
          '  - { name: b, match: { action: x }, effect: allow }',
          '  - { name: c, match: { action: y }, effect: allow }',
        ),
      ),
    ).toEqual([
      'test.yaml:4:5 rules[1]: unreachable, as is every rule after it: rule "everything" (line 3) matches every request',
    ]);
  });

  it('refuses wrong values for effect, minApprovals, approvers, match and globs', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'groups: { sre: [a@b.co, c@d.co] }',
          'rules:',
          '  - { name: a, match: { action: x }, effect: approve }',
          '  - { name: b, match: { action: y }, effect: review, approvers: [], minApprovals: 1.5 }',
          '  - { name: c, match: { action: [] }, effect: review, approvers: [sre], minApprovals: 0 }',
          '  - { name: d, match: { action: "db.[drop", resource: [ok, 7] }, effect: allow }',
          '  - { name: e, match: action, effect: allow }',
        ),
      ),
    ).toEqual([
      'test.yaml:4:46 rules[0].effect: must be allow, deny or review',
      'test.yaml:5:65 rules[1].approvers: must not be an empty list',
      'test.yaml:5:83 rules[1].minApprovals: expected a whole number, at least 1',
      'test.yaml:6:33 rules[2].match.action: must not be an empty list',
      'test.yaml:6:87 rules[2].minApprovals: expected a whole number, at least 1',
      'test.yaml:7:33 rules[3].match.action[0]: invalid glob "db.[drop": Missing closing: "]" - use "\\\\]" to match literal characters',
      'test.yaml:7:60 rules[3].match.resource[1]: expected a glob (a string)',
      'test.yaml:8:23 rules[4].match: expected a map of globs; {} matches every request',
    ]);
  });

  it('refuses group members that are neither emails nor slack:@handles, and odd group names', () => {
    expect(
      problems(
        yaml(
          'version: 1',
          'groups:',
          '  sre: [alice@example.com, bob, "slack:sre"]',
          '  "on call": [a@b.co]',
          '  x: a@b.co',
        ),
      ),
    ).toEqual([
      'test.yaml:3:28 groups.sre[1]: "bob" is neither an email address, a slack:@handle nor an idp:"group"',
      'test.yaml:3:33 groups.sre[2]: "slack:sre" is neither an email address, a slack:@handle nor an idp:"group"',
      'test.yaml:4:3 groups.on call: group name "on call" must start with a letter or digit and use only letters, digits, ".", "_" and "-"',
      'test.yaml:5:6 groups.x: expected a list of members',
    ]);
  });

  it('refuses name and match on the default rule', () => {
    expect(
      problems(yaml('version: 1', 'default:', '  name: fallback', '  match: {}', '  effect: allow')),
    ).toEqual([
      'test.yaml:3:9 default.name: the default rule applies when no rule matched, so it takes no name or match',
      'test.yaml:4:10 default.match: the default rule applies when no rule matched, so it takes no name or match',
    ]);
  });

  it('refuses an empty file and a file that is not a map', () => {
    expect(problems('')).toEqual(['test.yaml:1:1 the policy file is empty; it needs at least "version: 1"']);
    expect(problems('# only a comment\n')).toEqual([
      'test.yaml:1:1 the policy file is empty; it needs at least "version: 1"',
    ]);
    expect(problems('- version: 1\n')).toEqual([
      'test.yaml:1:1 expected a map with version, groups, defaults, rules, default and consoles',
    ]);
  });

  it('points at the key of a key left without a value', () => {
    expect(problems(yaml('version: 1', 'rules:', '  - name:', '    match: {}', '    effect: allow'))).toEqual(
      ['test.yaml:3:5 rules[0].name: expected a rule name'],
    );
  });
});
