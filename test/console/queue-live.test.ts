import type { ActionRequest, StandingApproval } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { QueuePage } from '../../server/src/web/pages/queue';

// Issue 16 on the console queue: open break-glass follow-ups and live standing approvals, while any exist.
const nav = { email: 'alice@example.com', roles: { admin: false, audit: false }, csrf: 'tok-123' };
const NOW = Date.parse('2026-11-30T10:05:00.000Z');
const broken: ActionRequest = {
  id: 'act_01',
  status: 'approved',
  action: 'prod.restartPayments',
  source: 'api',
  context: {},
  requester: { id: 'agent:ops-bot', owner: 'carol@example.com' },
  digest: `sha256:${'a'.repeat(64)}`,
  rule: { name: 'prod-fix', effect: 'review' },
  matched: { rule: 'prod-fix' },
  policyVersion: 'sha256:abc',
  approvals: { required: 1, received: 0 },
  approvers: ['sre'],
  reviews: [],
  createdAt: '2026-11-30T10:00:00.000Z',
  breakGlass: {
    notify: ['#security'],
    reviewWithinMs: 86_400_000,
    reason: 'Payments are down <script>alert(1)</script>',
    by: 'agent:ops-bot',
    at: '2026-11-30T10:01:00.000Z',
    followUp: { status: 'open', dueAt: '2026-12-01T10:01:00.000Z' },
  },
};
const standing: StandingApproval = {
  id: 'sta_01',
  action: 'db.export',
  resource: 'reports/eu/*',
  requester: 'agent:report-bot',
  rule: 'exports',
  by: 'user:rita@example.com',
  createdAt: '2026-11-30T10:00:00.000Z',
  until: '2026-11-30T10:35:00.000Z',
  usesLeft: 1,
  fromRequest: 'act_00',
};
const render = (node: unknown) => String(node);

describe('console queue: follow-ups and standing approvals', () => {
  it('lists each open follow-up and live standing approval, escaped', () => {
    const html = render(QueuePage({ nav, items: [], now: NOW, followUps: [broken], standing: [standing] }));
    expect(html).toContain('follow-ups (1)');
    expect(html).toContain('href="/requests/act_01"');
    expect(html).toContain('Payments are down &lt;script&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('Standing approvals (1)');
    expect(html).toContain('for agent:report-bot');
    expect(html).toContain('approved by user:rita@example.com');
    expect(html).toContain('in 30 min');
    expect(html).toContain('1 use left');
  });

  it('says which environment a standing approval covers (it covers no other)', () => {
    const html = render(
      QueuePage({
        nav,
        items: [],
        now: NOW,
        followUps: [],
        standing: [{ ...standing, environment: 'staging' }],
      }),
    );
    expect(html).toContain('<span class="small muted"> in staging</span>');
  });

  it('shows neither section when there is nothing live', () => {
    const html = render(QueuePage({ nav, items: [], now: NOW, followUps: [], standing: [] }));
    expect(html).not.toContain('follow-ups');
    expect(html).not.toContain('Standing approvals');
  });
});
