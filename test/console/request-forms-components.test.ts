import type { ActionRequest, StandingApproval } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { StandingList } from '../../server/src/web/components/queue-live';
import { MinePage } from '../../server/src/web/pages/mine';
import { RequestPage, type Viewer } from '../../server/src/web/pages/request';

// Issue 16's console forms as pure functions of what they show: who is offered which form.
const nav = { email: 'carol@example.com', roles: { admin: false, audit: false }, csrf: 'tok-123' };
const NOW = Date.parse('2026-11-30T10:05:00.000Z');
const render = (node: unknown) => String(node);
const request = (over: Partial<ActionRequest> = {}): ActionRequest => ({
  id: 'act_01',
  status: 'pending',
  action: 'prod.restart',
  source: 'api',
  context: {},
  requester: { id: 'agent:ops-bot', owner: 'carol@example.com' },
  digest: `sha256:${'a'.repeat(64)}`,
  rule: { name: 'prod-fix', effect: 'review' },
  matched: { rule: 'prod-fix' },
  policyVersion: 'sha256:abc',
  approvals: { required: 1, received: 0 },
  approvers: ['reviewers'],
  reviews: [],
  createdAt: '2026-11-30T10:00:00.000Z',
  expiresAt: '2026-11-30T10:15:00.000Z',
  ...over,
});
const glass = { notify: ['#security'], reviewWithinMs: 86_400_000 };
const asked = [
  { author: 'user:rita@example.com', role: 'reviewer' as const, comment: 'why?', at: '2026-11-30T10:01:00Z' },
];
const page = (r: ActionRequest, viewer: Viewer | undefined, more = {}) =>
  render(RequestPage({ nav, request: r, eligible: [], timeline: [], now: NOW, viewer, ...more }));
const OWNER: Viewer = { requesterSide: true, reviewer: false, refusal: 'self_approval' };
const REVIEWER: Viewer = { requesterSide: false, reviewer: true, refusal: undefined };
const OUTSIDER: Viewer = { requesterSide: false, reviewer: false, refusal: 'not_an_approver' };

describe('console request page: who is offered which issue 16 form', () => {
  it('the requester’s side: break-glass (when the rule has it) and an answer (once asked); never ask or follow-up', () => {
    const html = page(request({ breakGlass: glass, comments: asked }), OWNER);
    expect(html).toContain('action="/requests/act_01/break-glass"');
    expect(html).toContain('minlength="20"');
    expect(html).toContain('action="/requests/act_01/answer"');
    expect(html).not.toContain('action="/requests/act_01/ask"');
    expect(page(request(), OWNER)).not.toContain('/break-glass"');
    expect(page(request({ breakGlass: glass }), OWNER)).not.toContain('/answer"');
    const used = request({
      status: 'approved',
      breakGlass: { ...glass, by: 'agent:ops-bot', reason: 'r', followUp: { status: 'open', dueAt: 'x' } },
    });
    expect(page(used, OWNER)).not.toContain('/break-glass"');
    expect(page(used, OWNER)).not.toContain('/follow-up"');
  });

  it('the requester’s side sees who decides instead of an Approve/Deny card it could not use', () => {
    // The core refuses self-approval: buttons it would refuse are not offered; a note says who decides.
    const html = page(request({ approvers: ['reviewers', 'sre'], breakGlass: glass }), OWNER);
    expect(html).not.toContain('action="/requests/act_01/review"');
    expect(html).not.toContain('Your decision');
    // carol owns the agent that asked: she did not ask, her agent did.
    expect(html).toContain(
      'Your agent ops-bot asked for this — someone in reviewers, sre decides. You may answer their questions or, as this rule allows, break glass.',
    );
    expect(html).not.toContain('You asked for this');
    // A person who asked themselves is told so.
    expect(page(request({ requester: { id: 'user:carol@example.com' } }), OWNER)).toContain(
      'You asked for this — someone in reviewers decides. You may answer their questions.',
    );
    expect(page(request(), REVIEWER)).toContain('action="/requests/act_01/review"');
  });

  it('someone the core would refuse sees who decides and why, and no decision, ask or follow-up form', () => {
    const offer = { standingOffer: { maxMs: 3_600_000, uses: 3 }, amendable: '{}' };
    const outsider = page(request({ approvers: ['reviewers', 'sre'] }), OUTSIDER, offer);
    for (const form of ['/review"', '/amend"', '/standing"', '/ask"']) expect(outsider).not.toContain(form);
    expect(outsider).not.toContain('Your decision');
    expect(outsider).toContain('<h2 id="decide">Who decides</h2>');
    expect(outsider).toContain('Someone in reviewers, sre decides.');
    expect(outsider).toContain(
      'You are not in the approver groups of rule prod-fix (reviewers, sre), so you cannot decide it.',
    );
    const followUp = request({
      status: 'approved',
      breakGlass: { ...glass, by: 'agent:ops-bot', reason: 'r', followUp: { status: 'open', dueAt: 'x' } },
    });
    expect(page(followUp, OUTSIDER)).not.toContain('/follow-up"');
    // One who already approved a two-approval request: counted once, so no buttons; asking is still open.
    const counted = page(request({ approvals: { required: 2, received: 1 } }), {
      ...REVIEWER,
      refusal: 'already_reviewed',
    });
    expect(counted).not.toContain('/review"');
    expect(counted).toContain('You have already approved this request; each person counts once.');
    expect(counted).toContain('action="/requests/act_01/ask"');
    // Rendered without knowing who looks, the page offers nothing to decide (fail closed).
    expect(page(request(), undefined)).not.toContain('/review"');
  });

  it('a reviewer: ask while pending, standing where offered, follow-up while open, revoke a live standing approval', () => {
    const offer = { standingOffer: { maxMs: 3_600_000, uses: 3 } };
    const pending = page(request({ breakGlass: glass }), REVIEWER, offer);
    expect(pending).toContain('action="/requests/act_01/ask"');
    expect(pending).toContain('action="/requests/act_01/standing"');
    expect(pending).toContain('For how long (at most 1h)');
    expect(pending).not.toContain('/break-glass"');
    expect(page(request(), REVIEWER)).not.toContain('/standing"');
    const live = {
      id: 'sta_01',
      by: 'user:rita@example.com',
      action: 'prod.restart',
      until: '2026-11-30T10:35:00.000Z',
      usesLeft: 2,
      role: 'created' as const,
    };
    const decided = (usesLeft: number) =>
      request({
        status: 'approved',
        breakGlass: { ...glass, by: 'agent:ops-bot', reason: 'r', followUp: { status: 'open', dueAt: 'x' } },
        standing: { ...live, usesLeft },
      });
    const broken = decided(2);
    const html = page(broken, REVIEWER);
    expect(html).toContain('action="/requests/act_01/follow-up"');
    expect(html).toContain('action="/standing/sta_01/revoke"');
    expect(html).not.toContain('/ask"');
    expect(page(decided(0), REVIEWER)).not.toContain('/revoke"');
    expect(page(broken, OWNER)).not.toContain('/revoke"');
  });
});

describe('console lists: Revoke and what needs the requester', () => {
  const standing = (requester: string): StandingApproval => ({
    id: `sta_${requester.length}`,
    action: 'reports.run',
    requester,
    rule: 'reports',
    by: 'user:rita@example.com',
    createdAt: '2026-11-30T10:00:00.000Z',
    until: '2026-11-30T10:35:00.000Z',
    usesLeft: 1,
    fromRequest: 'act_00',
  });

  it('the queue offers Revoke on the approver groups’ standing approvals, not on the viewer’s own', () => {
    const others = standing('agent:report-bot');
    const own = standing('user:carol@example.com');
    const html = render(
      StandingList({ items: [others, own], now: NOW, csrf: 'tok-123', viewer: 'user:carol@example.com' }),
    );
    expect(html).toContain(`action="/standing/${others.id}/revoke"`);
    expect(html).toContain(
      `aria-label="Revoke standing approval ${others.id} (reports.run for agent:report-bot)"`,
    );
    expect(html).not.toContain(`action="/standing/${own.id}/revoke"`);
  });

  it('My requests points a pending request to its waiting question or its break-glass, and nothing else', () => {
    const answered = [...asked, { ...asked[0], role: 'requester' as const, author: 'agent:ops-bot' }];
    const items = [
      request({ id: 'act_q', comments: asked }),
      request({ id: 'act_a', comments: answered as ActionRequest['comments'] }),
      request({ id: 'act_g', breakGlass: glass }),
      request({ id: 'act_d', status: 'denied', breakGlass: glass, comments: asked }),
    ];
    const html = render(MinePage({ nav, items, now: NOW }));
    expect(html).toContain('href="/requests/act_q#answer"');
    expect(html).not.toContain('href="/requests/act_a#answer"');
    expect(html).toContain('href="/requests/act_g#break-glass-form"');
    expect(html).not.toContain('href="/requests/act_d#');
  });
});

describe('console break-glass warning: who will hear of it on this install', () => {
  const warned = (chat?: { slack: boolean; teams: boolean }) =>
    render(
      RequestPage({
        nav,
        request: request({ breakGlass: glass }),
        eligible: [],
        timeline: [],
        now: NOW,
        viewer: OWNER,
        chat,
      }),
    );

  it('no chat configured: only the audit log and the approvers’ console queue, no broadcast promised', () => {
    for (const html of [warned({ slack: false, teams: false }), warned()]) {
      expect(html).toContain(
        'no chat is configured on this server: only the audit log and the approvers&#39; console queue will show',
      );
      expect(html).not.toContain('broadcast');
      expect(html).not.toContain('#security');
    }
  });

  it('Slack: the rule’s channels and a DM to every approver; Teams: the request’s thread and a card to every approver', () => {
    const slack = warned({ slack: true, teams: false });
    expect(slack).toContain('Slack posts it to #security, sends every');
    expect(slack).toContain('approver of rule <code>prod-fix</code> a direct message');
    expect(slack).not.toContain('Teams');
    expect(slack).not.toContain('no chat is configured');
    const teams = warned({ slack: false, teams: true });
    expect(teams).toContain(
      'Teams threads it under the request&#39;s card and sends every approver it knows',
    );
    expect(teams).not.toContain('Slack posts');
    const both = warned({ slack: true, teams: true });
    expect(both).toContain('Slack posts it to #security');
    expect(both).toContain('Teams threads it');
  });
});
