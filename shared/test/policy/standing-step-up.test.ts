import { describe, expect, it } from 'vitest';
import { load, problems, yaml } from './helpers';

// A standing approval on a step-up rule would let every later request through with no step-up at all:
// `policy check` refuses the pair at file:line:column, pointing at `standing`.
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
const STANDING = '    standing: { max: 1h, uses: 5 }';

describe('policy check: standing approvals and step-ups', () => {
  it('refuses standing beside stepUp: mfa or passkey', () => {
    for (const method of ['mfa', 'passkey']) {
      expect(problems(yaml(...REVIEW, `    stepUp: ${method}`, STANDING))).toEqual([
        `test.yaml:10:5 rules[0].standing: standing approvals cannot go with a step-up (stepUp: ${method}): each approval needs its own step-up, and a standing approval would let later requests through without one`,
      ]);
    }
  });

  it('refuses standing on a risk: critical rule (which implies MFA), and in the default rule', () => {
    expect(problems(yaml(...REVIEW, STANDING, '    risk: critical'))).toEqual([
      'test.yaml:9:5 rules[0].standing: standing approvals cannot go with a step-up (risk: critical): each approval needs its own step-up, and a standing approval would let later requests through without one',
    ]);
    expect(
      problems(
        yaml(
          'version: 1',
          'groups: { sre: [a@example.com] }',
          'default: { effect: review, approvers: [sre], stepUp: mfa, standing: { max: 1h, uses: 5 } }',
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /^test\.yaml:3:\d+ default\.standing: standing approvals cannot go with a step-up/,
      ),
    ]);
  });

  it('accepts standing where no step-up is asked: none said, or risk: critical with stepUp: none', () => {
    expect(load(yaml(...REVIEW, STANDING)).rules[0]).toMatchObject({ standing: { uses: 5 } });
    const waived = load(yaml(...REVIEW, STANDING, '    risk: critical', '    stepUp: none')).rules[0];
    expect(waived).toMatchObject({ risk: 'critical', standing: { uses: 5 } });
    expect(waived).not.toHaveProperty('stepUp');
  });
});
