import { describe, expect, it } from 'vitest';
import {
  ActionBlocked,
  ActionCancelled,
  ActionDenied,
  ActionExpired,
  ActionNotApproved,
  type ActionRequest,
  refusalOf,
} from '../../src/sdk/index';

const base: ActionRequest = {
  id: 'act_1',
  status: 'pending',
  action: 'db.export',
  source: 'sdk',
  context: {},
  requester: { id: 'agent:bot', owner: 'alice@example.com' },
  digest: 'sha256:00',
  rule: { name: 'customer-export', effect: 'review' },
  matched: { rule: 'customer-export' },
  policyVersion: 'sha256:0',
  approvals: { required: 2, received: 1 },
  approvers: ['data-owners'],
  reviews: [],
  createdAt: '2025-01-01T00:00:00.000Z',
};

describe('refusalOf', () => {
  it('names the reviewer who denied and their comment, not an earlier approver', () => {
    const request: ActionRequest = {
      ...base,
      status: 'denied',
      reviews: [
        { reviewer: 'user:carol@example.com', decision: 'approve', via: 'api', at: 'x' },
        {
          reviewer: 'user:dan@example.com',
          decision: 'deny',
          comment: 'not this quarter',
          via: 'slack',
          at: 'y',
        },
      ],
    };
    const refusal = refusalOf(request);
    expect(refusal).toBeInstanceOf(ActionDenied);
    expect(refusal).toBeInstanceOf(ActionNotApproved);
    expect(refusal).toMatchObject({
      outcome: 'denied',
      who: 'user:dan@example.com',
      reason: 'not this quarter',
    });
    expect(refusal?.message).toBe('db.export was denied by user:dan@example.com: not this quarter');
  });

  it('gives the blocking rule and the policy reason', () => {
    const refusal = refusalOf({
      ...base,
      status: 'blocked',
      rule: { name: 'no-drops', effect: 'deny' },
      matched: { rule: 'no-drops' },
      reason: 'never',
    });
    expect(refusal).toBeInstanceOf(ActionBlocked);
    expect(refusal).toMatchObject({ rule: 'no-drops', reason: 'never', outcome: 'blocked' });
  });

  it('maps expired and cancelled, and lets approved, allowed and pending through', () => {
    expect(refusalOf({ ...base, status: 'expired' })).toBeInstanceOf(ActionExpired);
    expect(refusalOf({ ...base, status: 'cancelled' })).toBeInstanceOf(ActionCancelled);
    for (const status of ['approved', 'allowed', 'pending'] as const)
      expect(refusalOf({ ...base, status })).toBeUndefined();
  });
});
