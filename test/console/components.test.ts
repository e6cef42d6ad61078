import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { Status } from '../../server/src/web/components/status';
import { RequestPage } from '../../server/src/web/pages/request';
import { SignInPage } from '../../server/src/web/pages/sign-in';

// Page components are pure functions of what they show: rendered here without a server or browser.

const nav = { email: 'alice@example.com', roles: { admin: false, audit: false }, csrf: 'tok-123' };
const request = (over: Partial<ActionRequest> = {}): ActionRequest => ({
  id: 'act_01',
  status: 'pending',
  action: 'db.migrate',
  source: 'api',
  context: {},
  requester: { id: 'agent:deployer', owner: 'carol@example.com' },
  digest: `sha256:${'a'.repeat(64)}`,
  rule: { name: 'needs-review', effect: 'review' },
  matched: { rule: 'needs-review' },
  policyVersion: 'sha256:abc',
  approvals: { required: 2, received: 1 },
  approvers: ['reviewers'],
  reviews: [],
  createdAt: '2026-11-30T10:00:00.000Z',
  expiresAt: '2026-11-30T10:15:00.000Z',
  ...over,
});
const render = (node: unknown) => String(node);
const NOW = Date.parse('2026-11-30T10:05:00.000Z');

describe('console components', () => {
  it('a status carries its word, not only its colour', () => {
    expect(render(Status({ status: 'denied' }))).toBe('<span class="status s-denied">Denied</span>');
  });

  it('a pending request offers approve and deny, each form with the session token; deny needs a reason', () => {
    const html = render(
      RequestPage({
        nav,
        request: request(),
        eligible: ['alice@example.com'],
        timeline: [],
        now: NOW,
        viewer: { requesterSide: false, reviewer: true, refusal: undefined },
      }),
    );
    expect(html.match(/name="_csrf" value="tok-123"/g)?.length).toBe(5); // approve, deny, ask, sign out, sign out everywhere
    expect(html).toContain('<textarea id="deny-comment" name="comment" required=""');
    expect(html).toContain('1 of 2');
    expect(html).toContain('in 10 min');
  });

  it('a decided request offers no decision, and shows the reviews with their reasons', () => {
    const html = render(
      RequestPage({
        nav,
        request: request({
          status: 'denied',
          reviews: [
            {
              reviewer: 'user:bob@example.com',
              decision: 'deny',
              comment: 'freeze <b>',
              via: 'console',
              at: '2026-11-30T10:01:00.000Z',
            },
          ],
        }),
        eligible: [],
        timeline: [],
        now: NOW,
      }),
    );
    expect(html).not.toContain('/review"');
    expect(html).toContain('freeze &lt;b&gt;');
  });

  it('sign-in without an identity provider says how to get a link', () => {
    expect(render(SignInPage({ oidc: false, next: '/', reason: 'idle' }))).toContain(
      'countersign login --user you@example.com',
    );
  });
});

describe('console: why a request was held, and its risk (issue 16)', () => {
  it('the request page shows the risk and the condition in words and as written', () => {
    const html = render(
      RequestPage({
        nav,
        request: request({
          matched: { rule: 'needs-review', condition: 'params.rows > 10000' },
          risk: 'high',
        }),
        eligible: [],
        timeline: [],
        now: NOW,
      }),
    );
    expect(html).toContain('<span class="status s-bad">Risk: high</span>');
    expect(html).toContain(
      'Held because params.rows is more than 10000 (<code>params.rows &gt; 10000</code>)',
    );
  });
});

describe('console: amend, questions, break-glass and standing on the request page (issue 16)', () => {
  it('shows each, escaped, when the request has it', () => {
    const html = render(
      RequestPage({
        nav,
        request: request({
          status: 'approved',
          amended: {
            params: { rows: 10 },
            digest: 'sha256:new',
            by: 'user:rita@example.com',
            at: '2026-11-30T10:02:00.000Z',
            original: { params: { rows: 99_999 }, digest: 'sha256:old' },
          },
          comments: [
            {
              author: 'user:rita@example.com',
              role: 'reviewer',
              comment: 'why <so many>?',
              at: '2026-11-30T10:01:00.000Z',
            },
            {
              author: 'agent:deployer',
              role: 'requester',
              comment: 'quarter end',
              at: '2026-11-30T10:01:30.000Z',
            },
          ],
          breakGlass: {
            notify: ['#security'],
            reviewWithinMs: 86_400_000,
            reason: 'outage and nobody answers the page',
            by: 'agent:deployer',
            at: '2026-11-30T10:03:00.000Z',
            followUp: { status: 'open', dueAt: '2026-12-01T10:03:00.000Z' },
          },
        }),
        eligible: [],
        timeline: [],
        now: NOW,
      }),
    );
    expect(html).toContain('Amended before approval');
    expect(html).toContain('&quot;rows&quot;: 99999');
    expect(html).toContain('asked: “why &lt;so many&gt;?”');
    expect(html).toContain('answered: “quarter end”');
    expect(html).toContain('agent:deployer: “outage and nobody answers the page”');
    expect(html).toContain('<strong>open</strong>, due 2026-12-01T10:03:00.000Z');
  });

  it('names the resource and environment a standing approval covers', () => {
    const html = render(
      RequestPage({
        nav,
        request: request({
          status: 'approved',
          standing: {
            id: 'sta_01',
            by: 'user:rita@example.com',
            action: 'reports.daily',
            resource: 'reports/eu/*',
            environment: 'staging',
            until: '2026-11-30T11:00:00.000Z',
            usesLeft: 2,
            role: 'used',
          },
        }),
        eligible: [],
        timeline: [],
        now: NOW,
      }),
    );
    expect(html).toContain('(reports.daily on reports/eu/* in staging)');
  });
});
