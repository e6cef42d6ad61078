import { describe, expect, it } from 'vitest';
import { groupMembers, isGroupMember } from '../../src/policy/index';
import { load, problems, yaml } from './helpers';

const KELVIN_KIM = '\u212Aim@example.com';

describe('policy group members go through the one email normalisation', () => {
  it('names a look-alike member as a problem at file:line:column, not as kim', () => {
    expect(problems(yaml('version: 1', 'groups:', `  sre: [alice@example.com, "${KELVIN_KIM}"]`))).toEqual([
      `test.yaml:3:28 groups.sre[1]: "${KELVIN_KIM}": no usable identity: it contains characters that change under Unicode normalisation (NFKC), e.g. look-alikes`,
    ]);
  });

  it('accepts ASCII case and an internationalised domain, in their normalised form', () => {
    const policy = load(yaml('version: 1', 'groups:', '  sre: [" Kim@Example.COM", kim@bücher.de]'));
    expect(groupMembers(policy, ['sre'])).toEqual(['kim@example.com', 'kim@xn--bcher-kva.de']);
    expect(isGroupMember(policy, ['sre'], 'KIM@example.com')).toBe(true);
  });

  it('does not count a Kelvin-sign spelling as the member kim', () => {
    const policy = load(yaml('version: 1', 'groups:', '  sre: [kim@example.com]'));
    expect(isGroupMember(policy, ['sre'], KELVIN_KIM)).toBe(false);
  });
});
