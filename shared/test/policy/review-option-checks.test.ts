import { describe, expect, it } from 'vitest';
import { load, problems, yaml } from './helpers';

// `policy check` for the review options of issue 16: what the server would refuse on a click, or what
// would quietly defeat the option, is a file:line:column problem at load.
const REVIEW = [
  'version: 1',
  'groups:',
  '  sre: [a@example.com, b@example.com]',
  'rules:',
  '  - name: fix',
  '    match: { action: "prod.*" }',
  '    effect: review',
  '    approvers: [sre]',
];

describe('policy check: standing and break-glass bounds', () => {
  it('refuses standing on a rule that needs more than one approval, pointing at standing', () => {
    expect(problems(yaml(...REVIEW, '    minApprovals: 2', '    standing: { max: 1h, uses: 5 }'))).toEqual([
      'test.yaml:10:5 rules[0].standing: standing approvals need a rule that one approval decides, and this one needs 2: one reviewer cannot stand in for a quorum on every later request',
    ]);
    expect(
      problems(
        yaml(
          'version: 1',
          'groups: { sre: [a@example.com, b@example.com] }',
          'default: { effect: review, approvers: [sre], minApprovals: 2, standing: { max: 1h, uses: 5 } }',
        ),
      ),
    ).toEqual([expect.stringMatching(/^test\.yaml:3:\d+ default\.standing: standing approvals need a rule/)]);
  });

  it('bounds standing: max at most 24h, uses at most 10000', () => {
    expect(problems(yaml(...REVIEW, '    standing: { max: 25h, uses: 10001 }'))).toEqual([
      'test.yaml:9:22 rules[0].standing.max: a standing approval lasts at most 24h',
      'test.yaml:9:33 rules[0].standing.uses: at most 10000 uses',
    ]);
    expect(load(yaml(...REVIEW, '    standing: { max: 24h, uses: 10000 }')).rules[0]).toMatchObject({
      standing: { maxMs: 86_400_000, uses: 10_000 },
    });
  });

  it('bounds breakGlass.reviewWithin between 15m and 7d', () => {
    for (const bad of ['14m59s', '7d1s']) {
      expect(problems(yaml(...REVIEW, `    breakGlass: { notify: "#s", reviewWithin: ${bad} }`))).toEqual([
        'test.yaml:9:47 rules[0].breakGlass.reviewWithin: a break-glass follow-up falls due at least 15m and at most 7d after it',
      ]);
    }
    expect(
      load(yaml(...REVIEW, '    breakGlass: { notify: "#s", reviewWithin: 15m }')).rules[0],
    ).toMatchObject({
      breakGlass: { reviewWithinMs: 900_000 },
    });
    expect(
      load(yaml(...REVIEW, '    breakGlass: { notify: "#s", reviewWithin: 7d }')).rules[0],
    ).toMatchObject({
      breakGlass: { reviewWithinMs: 604_800_000 },
    });
  });

  it('still says what is wrong with a duration before its bounds', () => {
    expect(problems(yaml(...REVIEW, '    breakGlass: { notify: "#s", reviewWithin: soon }'))).toEqual([
      'test.yaml:9:47 rules[0].breakGlass.reviewWithin: expected a duration like 30s, 15m, 2h or 1d, not "soon"',
    ]);
  });
});
