import type { ActionRequest, AuditEvent } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { RequestPage } from '../../server/src/web/pages/request';

const nav = { email: 'alice@example.com', roles: { admin: false, audit: false }, csrf: 'tok-123' };
const request: ActionRequest = {
  id: 'act_01',
  status: 'pending',
  action: 'db.export',
  source: 'api',
  context: {},
  requester: { id: 'agent:exporter', owner: 'carol@example.com' },
  digest: `sha256:${'a'.repeat(64)}`,
  rule: { name: 'exports', effect: 'review' },
  matched: { rule: 'exports' },
  policyVersion: 'sha256:new',
  approvals: { required: 2, received: 0 },
  approvers: ['ops'],
  reviews: [],
  createdAt: '2026-11-30T10:00:00.000Z',
  expiresAt: '2026-11-30T10:15:00.000Z',
};
const event = (seq: number, data: Record<string, unknown>): AuditEvent => ({
  seq,
  at: '2026-11-30T10:02:00.000Z',
  type: 'action.rebound',
  actor: 'user:root@example.com',
  subject: 'act_01',
  data,
  prevHash: 'x',
  hash: 'y',
});

describe("a request page's timeline", () => {
  it('says which rule a reload re-bound or blocked the request under, not the raw event type', () => {
    const html = String(
      RequestPage({
        nav,
        request,
        eligible: [],
        timeline: [
          event(1, { status: 'pending', before: { rule: 'exports-old' }, after: { rule: 'exports' } }),
          event(2, { status: 'blocked', before: { rule: 'exports' }, after: { rule: 'exports-frozen' } }),
        ],
        now: Date.parse('2026-11-30T10:05:00.000Z'),
      }),
    );
    expect(html).toContain('a policy reload re-bound it to rule exports');
    expect(html).toContain('a policy reload blocked it (rule exports-frozen)');
    expect(html).not.toContain('action.rebound');
  });
});
