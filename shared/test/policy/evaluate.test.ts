import { describe, expect, it } from 'vitest';
import { evaluate, FAIL_CLOSED_REASON } from '../../src/policy/index';
import { load, problems, yaml } from './helpers';

const policy = load(
  yaml(
    'version: 1',
    'groups:',
    '  sre: [alice@example.com, bob@example.com]',
    '  data-owners: [carol@example.com, dan@example.com]',
    'defaults: { timeout: 10m, grantTtl: 3m }',
    'rules:',
    '  - name: reads-are-free',
    '    match: { action: ["**.get*", "**.list*"] }',
    '    effect: allow',
    '  - name: no-prod-drops',
    '    match: { action: "db.drop*", environment: prod }',
    '    effect: deny',
    '    reason: Never from automation.',
    '  - name: customer-export',
    '    match: { action: db.export, resource: "customers/**" }',
    '    effect: review',
    '    approvers: [data-owners]',
    '    minApprovals: 2',
    '    timeout: 30m',
    '    grantTtl: 1m',
    '    channel: "#data-approvals"',
    '  - name: any-export',
    '    match: { action: db.export }',
    '    effect: review',
    '    approvers: sre',
    'default: { effect: review, approvers: [sre] }',
  ),
);

describe('evaluate', () => {
  it('returns an allow decision with the grant lifetime from the defaults', () => {
    expect(evaluate(policy, { action: 'db.getRow', requester: 'agent:a' })).toEqual({
      effect: 'allow',
      rule: 'reads-are-free',
      grantTtlMs: 180_000,
    });
  });

  it('returns a deny decision with its reason', () => {
    expect(evaluate(policy, { action: 'db.dropTable', environment: 'prod', requester: 'agent:a' })).toEqual({
      effect: 'deny',
      rule: 'no-prod-drops',
      reason: 'Never from automation.',
    });
  });

  it("returns a review decision with the rule's own approvers, quorum, timeout, grant lifetime and channel", () => {
    const input = { action: 'db.export', resource: 'customers/eu', requester: 'agent:a' };
    expect(evaluate(policy, input)).toEqual({
      effect: 'review',
      rule: 'customer-export',
      approvers: ['data-owners'],
      minApprovals: 2,
      timeoutMs: 1_800_000,
      grantTtlMs: 60_000,
      channel: '#data-approvals',
    });
  });

  it('lets the first matching rule win over later ones', () => {
    expect(evaluate(policy, { action: 'db.export', resource: 'customers/eu', requester: 'x' }).rule).toBe(
      'customer-export',
    );
    expect(evaluate(policy, { action: 'db.export', resource: 'orders/eu', requester: 'x' }).rule).toBe(
      'any-export',
    );
  });

  it('fills minApprovals 1 and the default timeout and grant lifetime, and leaves channel out', () => {
    const decision = evaluate(policy, { action: 'db.export', requester: 'x' });
    expect(decision).toEqual({
      effect: 'review',
      rule: 'any-export',
      approvers: ['sre'],
      minApprovals: 1,
      timeoutMs: 600_000,
      grantTtlMs: 180_000,
    });
    expect('channel' in decision).toBe(false);
  });

  it('applies the default rule, named "default", when no rule matches', () => {
    expect(evaluate(policy, { action: 'k8s.delete', requester: 'x' })).toEqual({
      effect: 'review',
      rule: 'default',
      approvers: ['sre'],
      minApprovals: 1,
      timeoutMs: 600_000,
      grantTtlMs: 180_000,
    });
  });

  it('denies (fails closed) when no rule matches and the policy has no default', () => {
    const bare = load(yaml('version: 1', 'rules:', '  - { name: r, match: { action: a }, effect: allow }'));
    expect(evaluate(bare, { action: 'b', requester: 'x' })).toEqual({
      effect: 'deny',
      rule: 'default',
      reason: 'No rule matched and the policy has no default (fail closed).',
    });
    expect(FAIL_CLOSED_REASON).toBe('No rule matched and the policy has no default (fail closed).');
  });

  it('uses the built-in defaults of 15m and 5m when the policy sets none', () => {
    const bare = load(
      yaml('version: 1', 'default: { effect: review, approvers: [sre] }', 'groups: { sre: [a@b.co] }'),
    );
    expect(bare.defaults).toEqual({ timeoutMs: 900_000, grantTtlMs: 300_000 });
    expect(evaluate(bare, { action: 'x', requester: 'y' })).toMatchObject({
      timeoutMs: 900_000,
      grantTtlMs: 300_000,
    });
  });

  it('hands out a copy of the approvers, so a caller cannot change the policy', () => {
    const decision = evaluate(policy, { action: 'db.export', requester: 'x' });
    if (decision.effect !== 'review') throw new Error('expected review');
    decision.approvers.push('everyone');
    expect(evaluate(policy, { action: 'db.export', requester: 'x' })).toMatchObject({ approvers: ['sre'] });
  });

  it('evaluates a policy rebuilt from JSON (compiling its globs on first use)', () => {
    const copy = JSON.parse(JSON.stringify(policy));
    expect(evaluate(copy, { action: 'db.dropTable', environment: 'prod', requester: 'x' }).effect).toBe(
      'deny',
    );
  });
});

describe('evaluate with an initiator', () => {
  const consoles = load(
    yaml(
      'version: 1',
      'groups: { sre: [alice@example.com] }',
      'rules:',
      '  - name: copilots-need-review',
      '    match: { source: extension, initiator: "copilot:*" }',
      '    effect: review',
      '    approvers: [sre]',
      '  - name: people-at-the-console',
      '    match: { source: extension, initiator: page }',
      '    effect: allow',
      'default: { effect: deny, reason: Not covered. }',
    ),
  );
  const request = {
    action: 'aws.iam.AttachRolePolicy',
    requester: 'user:carol@example.com',
    source: 'extension',
  };

  it('holds what a copilot does for review and lets the person at the page through', () => {
    expect(evaluate(consoles, { ...request, initiator: 'copilot:amazon-q' })).toMatchObject({
      effect: 'review',
      rule: 'copilots-need-review',
    });
    expect(evaluate(consoles, { ...request, initiator: 'copilot:azure-copilot' }).rule).toBe(
      'copilots-need-review',
    );
    expect(evaluate(consoles, { ...request, initiator: 'page' })).toMatchObject({
      effect: 'allow',
      rule: 'people-at-the-console',
    });
  });

  it('passes a request without an initiator over both rules, to the default', () => {
    expect(evaluate(consoles, request)).toMatchObject({ effect: 'deny', rule: 'default' });
  });

  it('keeps the initiator in the normalized rule, and refuses an invalid initiator glob', () => {
    expect(consoles.rules[0]?.match).toEqual({ source: ['extension'], initiator: ['copilot:*'] });
    expect(
      problems(
        yaml('version: 1', 'rules:', '  - { name: r, match: { initiator: "copilot:[" }, effect: allow }'),
      ),
    ).toEqual([
      expect.stringMatching(/^test\.yaml:3:\d+ rules\[0\]\.match\.initiator\[0\]: invalid glob "copilot:\["/),
    ]);
  });
});
