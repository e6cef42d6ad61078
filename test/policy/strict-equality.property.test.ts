import { evaluate, parsePolicy } from '@countersign/shared/policy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// A comparison with a value of another kind is an error, never a quiet false: over any JSON value a
// client may send, a review rule testing `params.x == true` holds it unless x is false or null.
const parsed = parsePolicy(
  [
    'version: 1',
    'groups: { g: [a@example.com] }',
    'rules:',
    '  - { name: flagged, match: { action: t.x }, when: "params.x == true", effect: review, approvers: [g] }',
    'default: { effect: allow }',
  ].join('\n'),
  'p.yaml',
);
if (!parsed.ok) throw new Error('the policy does not load');
const { policy } = parsed;

describe('== across kinds, over any JSON value', () => {
  it('holds every value but false and null, and says so for each that is not a bool', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (x) => {
        const decision = evaluate(policy, { action: 't.x', requester: 'agent:a', params: { x } });
        const quiet = x === false || x === null;
        expect(decision.rule).toBe(quiet ? 'default' : 'flagged');
        expect(decision.conditionErrors !== undefined).toBe(typeof x !== 'boolean' && x !== null);
      }),
      { numRuns: 500 },
    );
  });
});
