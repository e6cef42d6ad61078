import { describe, expect, it } from 'vitest';
import { groupMembers, groupSlackHandles, isGroupMember } from '../../src/policy/index';
import { load, yaml } from './helpers';

const policy = load(
  yaml(
    'version: 1',
    'groups:',
    '  sre: [Alice@Example.com, bob@example.com, alice@example.com]',
    '  security: [erin@example.com, BOB@example.com]',
    '  oncall: [carol@example.com, "slack:@SRE-oncall"]',
  ),
);

describe('groups', () => {
  it('keeps members lower-cased and once each, Slack entries as written', () => {
    expect(policy.groups).toEqual({
      sre: ['alice@example.com', 'bob@example.com'],
      security: ['erin@example.com', 'bob@example.com'],
      oncall: ['carol@example.com', 'slack:@SRE-oncall'],
    });
  });

  it('groupMembers unions the emails of the named groups, each person once', () => {
    expect(groupMembers(policy, ['sre', 'security'])).toEqual([
      'alice@example.com',
      'bob@example.com',
      'erin@example.com',
    ]);
  });

  it('groupMembers leaves out Slack entries and unknown groups', () => {
    expect(groupMembers(policy, ['oncall', 'nope', 'constructor'])).toEqual(['carol@example.com']);
    expect(groupMembers(policy, [])).toEqual([]);
  });

  it('groupMembers lower-cases a policy that was built by hand rather than loaded', () => {
    const handMade = { ...policy, groups: { leads: ['Frank@Example.com'] } };
    expect(groupMembers(handMade, ['leads'])).toEqual(['frank@example.com']);
  });

  it('groupSlackHandles lists the Slack entries for a resolver', () => {
    expect(groupSlackHandles(policy, ['sre', 'oncall'])).toEqual(['@sre-oncall']);
  });

  it('isGroupMember compares emails without regard to case', () => {
    expect(isGroupMember(policy, ['sre'], ' ALICE@example.com')).toBe(true);
    expect(isGroupMember(policy, ['sre'], 'erin@example.com')).toBe(false);
  });
});
