import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluate, parseCases, parsePolicy, runCases } from '../../src/policy/index';
import { load, yaml } from './helpers';

// Trial finding: `params.pii == true` was plainly false for "pii": "true" or 1, so the review rule was
// skipped and a weaker one decided. A comparison of values of different kinds now fails closed.
const example = parsePolicy(
  readFileSync(fileURLToPath(new URL('../../../countersign.policy.yaml', import.meta.url)), 'utf8'),
  'countersign.policy.yaml',
);
if (!example.ok) throw new Error('the example policy does not load');
const put = (params: Record<string, unknown>) =>
  evaluate(example.policy, {
    action: 'aws.s3.PutObject',
    environment: 'prod',
    requester: 'agent:etl',
    params,
  });

describe('==, != and in across kinds fail closed', () => {
  it.each([
    ['the string "true"', 'true', 'cannot compare the string "true" with a bool'],
    ['the number 1', 1, 'cannot compare a number with a bool'],
  ])('pii as %s is held by pii-to-unknown-bucket, with the error said', (_, pii, error) => {
    const decision = put({ pii, bucket: 'dump.example.com' });
    expect(decision).toMatchObject({ effect: 'review', rule: 'pii-to-unknown-bucket' });
    expect(decision.conditionErrors).toEqual([{ rule: 'pii-to-unknown-bucket', error }]);
  });

  it('an allow rule comparing across kinds does not allow (uploads-without-pii with pii 0)', () => {
    const decision = evaluate(example.policy, {
      action: 'aws.s3.PutObject',
      requester: 'agent:etl',
      params: { pii: 0 },
    });
    expect(decision).toMatchObject({ effect: 'review', rule: 'default' });
    expect(decision.conditionErrors?.map((e) => e.rule)).toEqual(['uploads-without-pii']);
  });

  it('comparisons of one kind read as before: numbers across int and double, null, lists, loops', () => {
    const policy = load(
      yaml(
        'version: 1',
        'rules:',
        '  - { name: five, match: { action: a.five }, when: "params.n == 5 && params.d != 2", effect: deny, reason: x }',
        '  - { name: set, match: { action: a.set }, when: "params.x != null", effect: deny, reason: x }',
        `  - { name: envs, match: { action: a.in }, when: 'params.env in ["prod", "staging"]', effect: deny, reason: x }`,
        `  - { name: tags, match: { action: a.tags }, when: 'params.tags.exists(t, t == "x")', effect: deny, reason: x }`,
        'default: { effect: allow }',
      ),
    );
    const decide = (action: string, params: Record<string, unknown>) =>
      evaluate(policy, { action, requester: 'agent:a', params });
    expect(decide('a.five', { n: 5, d: 2.5 })).toMatchObject({ rule: 'five' });
    expect(decide('a.five', { n: 5.0, d: 2 })).toMatchObject({ rule: 'default' });
    expect(decide('a.set', { x: 'y' })).toMatchObject({ rule: 'set' });
    expect(decide('a.set', { x: null })).toMatchObject({ rule: 'default' });
    expect(decide('a.in', { env: 'dev' })).toMatchObject({ rule: 'default' });
    expect(decide('a.tags', { tags: ['a', 'x'] })).toMatchObject({ rule: 'tags' });
    for (const decision of [decide('a.five', { n: 5, d: 2 }), decide('a.in', { env: 'dev' })])
      expect(decision.conditionErrors).toBeUndefined();
    // A value of another kind than the list's is an error, and a deny rule fails closed to matching.
    const odd = decide('a.in', { env: 1 });
    expect(odd).toMatchObject({ effect: 'deny', rule: 'envs' });
    expect(odd.conditionErrors?.[0]?.error).toBe(
      'cannot look for a number among values such as the string "prod"',
    );
    expect(decide('a.tags', { tags: ['a', 7] })).toMatchObject({ rule: 'tags' });
  });

  it('policy test agrees with the runtime', () => {
    const cases = parseCases(
      yaml(
        'cases:',
        '  - name: pii as a string is held',
        '    request: { action: aws.s3.PutObject, environment: prod, requester: "agent:etl", params: { pii: "true", bucket: dump.example.com } }',
        '    expect: { effect: review, rule: pii-to-unknown-bucket }',
      ),
      'cases.yaml',
    );
    if (!cases.ok) throw new Error('the cases do not load');
    expect(runCases(example.policy, cases.cases).map((r) => r.pass)).toEqual([true]);
  });
});
