import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/policy/index';
import { load, yaml } from './helpers';

// The decision itself says when the deciding rule matched only because its condition failed (fail
// closed): the server reads that one field to refuse standing approvals and amendments for it.
const policy = load(
  yaml(
    'version: 1',
    'groups:',
    '  data-owners: [carol@example.com]',
    'rules:',
    '  - name: free-small',
    '    match: { action: "st.*" }',
    '    when: params.size < 2',
    '    effect: allow',
    '  - name: st-test',
    '    match: { action: "st.*" }',
    '    when: has(params.level) && params.level < 5',
    '    effect: review',
    '    approvers: [data-owners]',
    '  - name: st-deny',
    '    match: { action: "st.*" }',
    '    effect: deny',
    '    reason: no',
  ),
);
const decide = (params: Record<string, unknown>) =>
  evaluate(policy, { action: 'st.run', requester: 'agent:a', params });

describe('Decision.conditionFailed', () => {
  it("is set when the deciding rule's own condition failed", () => {
    const decision = decide({ size: 9, level: '999' });
    expect(decision).toMatchObject({ effect: 'review', rule: 'st-test' });
    expect(decision.conditionFailed).toEqual(expect.any(String));
  });

  it('is absent when the condition held, or only an earlier rule’s condition failed', () => {
    expect(decide({ size: 9, level: 1 }).conditionFailed).toBeUndefined();
    // free-small fails on a string size (an allow rule does not match then); st-test decides on a true condition.
    const later = decide({ size: 'big', level: 1 });
    expect(later).toMatchObject({ effect: 'review', rule: 'st-test' });
    expect(later.conditionErrors).toEqual([expect.objectContaining({ rule: 'free-small' })]);
    expect(later.conditionFailed).toBeUndefined();
    expect(decide({ size: 9, level: 999 })).toMatchObject({ effect: 'deny', rule: 'st-deny' });
    expect(decide({ size: 9, level: 999 }).conditionFailed).toBeUndefined();
  });
});
