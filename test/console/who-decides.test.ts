import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { auditEvents, serverForTest, submit } from '../../server/test/harness';
import { signedIn } from './console-client';

// The request page offers Approve/Deny (and amend, standing, ask) to exactly whom review-action would
// take them from (services/actions/may-decide); everyone else sees who decides and why. A real server
// on 127.0.0.1, people signed in by one-time link, forms posted as a browser would (Origin + token).
const POLICY = `version: 1
groups:
  reviewers: [rita@example.com, ravi@example.com, carol@example.com]
  auditors: [audra@example.com]
access: { audit: [auditors] }
rules:
  - name: reports
    match: { action: "reports.*" }
    effect: review
    approvers: [reviewers]
    standing: { max: 1h, uses: 3 }
  - name: vault-reads
    match: { action: "vault.*" }
    effect: review
    approvers: [reviewers]
    stepUp: passkey
  - name: two-to-ship
    match: { action: "deploy.*" }
    effect: review
    approvers: [reviewers]
    minApprovals: 2
`;

const FORMS = ['/review"', '/amend"', '/standing"', '/ask"'];
const WHO = '<h2 id="decide">Who decides</h2>';

async function setUp(test: Parameters<typeof serverForTest>[0]) {
  const t = await serverForTest(test, { policy: POLICY });
  // carol is in `reviewers` and owns the agent: the requester's side, which the core refuses first.
  const agent = await t.agentKey('ops-bot', 'carol@example.com');
  const auditor = await t.userKey('aud@example.com', ['audit:read']);
  const status = async (id: string) =>
    (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key: agent })).body;
  return { t, agent, auditor, status };
}

describe('console: only who may decide is offered a decision', () => {
  it('an auditor outside the approver groups sees who decides and why; their forged approve is still refused', async (test) => {
    const { t, agent, auditor, status } = await setUp(test);
    const req = await submit(t, agent, {
      action: 'reports.run',
      resource: 'reports/eu/q1',
      params: { rows: 100 },
    });
    const audra = await signedIn(t, 'audra@example.com');
    const page = await audra.get(`/requests/${req.id}`);
    expect(page.status).toBe(200);
    for (const form of FORMS) expect(page.text, form).not.toContain(`action="/requests/${req.id}${form}`);
    expect(page.text).not.toContain('Your decision');
    expect(page.text).toContain(WHO);
    expect(page.text).toContain('Someone in reviewers decides.');
    expect(page.text).toContain(
      'You are not in the approver groups of rule reports (reviewers), so you cannot decide it.',
    );

    // The page is only an offer: a valid form (this site's Origin, the session's token) is refused by the core.
    expect(audra.csrf).not.toBe('');
    const forged = await audra.post(`/requests/${req.id}/review`, { decision: 'approve' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('Only members of the approver groups of this request may review it.');
    const amended = await audra.post(`/requests/${req.id}/amend`, {
      digest: req.digest,
      params: '{"rows": 10}',
    });
    expect(amended.status).toBe(403);
    expect((await status(req.id)).status).toBe('pending');
    const refused = (await auditEvents(t, auditor, 'type=review.refused')).filter(
      (e) => e.subject === req.id,
    );
    expect(refused.map((e) => [e.actor, e.data.code])).toEqual([
      ['user:audra@example.com', 'not_an_approver'],
      ['user:audra@example.com', 'not_an_approver'],
    ]);
  });

  it('an eligible approver sees Approve/Deny, amend, standing and ask, and may use them', async (test) => {
    const { t, agent, status } = await setUp(test);
    const req = await submit(t, agent, { action: 'reports.run', resource: 'reports/eu/q1' });
    const rita = await signedIn(t, 'rita@example.com');
    const page = await rita.get(`/requests/${req.id}`);
    for (const form of FORMS) expect(page.text, form).toContain(`action="/requests/${req.id}${form}`);
    expect(page.text).toContain('Your decision');
    expect(page.text).not.toContain(WHO);
    const approved = await rita.post(`/requests/${req.id}/review`, { decision: 'approve' });
    expect(approved.status).toBe(303);
    expect((await status(req.id)).status).toBe('approved');
  });

  it('the agent’s owner, though in the approver groups, sees who decides as the requester’s side', async (test) => {
    const { t, agent } = await setUp(test);
    const req = await submit(t, agent, { action: 'reports.run', resource: 'reports/eu/q1' });
    const carol = await signedIn(t, 'carol@example.com');
    const page = await carol.get(`/requests/${req.id}`);
    for (const form of FORMS) expect(page.text, form).not.toContain(`action="/requests/${req.id}${form}`);
    expect(page.text).toContain(WHO);
    expect(page.text).toContain('Your agent ops-bot asked for this — someone in reviewers decides.');
    const own = await carol.post(`/requests/${req.id}/review`, { decision: 'approve' });
    expect(own.status).toBe(403);
    expect(own.text).toContain('No one may review their own request, nor a request of an agent they own.');
  });

  it('one who already approved a two-approval request is counted once: no buttons, asking still open', async (test) => {
    const { t, agent, status } = await setUp(test);
    const req = await submit(t, agent, { action: 'deploy.web', resource: 'web' });
    const rita = await signedIn(t, 'rita@example.com');
    expect((await rita.post(`/requests/${req.id}/review`, { decision: 'approve' })).status).toBe(303);
    const page = await rita.get(`/requests/${req.id}`);
    expect(page.text).not.toContain(`action="/requests/${req.id}/review"`);
    expect(page.text).toContain(WHO);
    expect(page.text).toContain('You have already approved this request; each person counts once.');
    expect(page.text).toContain(`action="/requests/${req.id}/ask"`);
    const again = await rita.post(`/requests/${req.id}/review`, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect((await status(req.id)).approvals).toEqual({ required: 2, received: 1 });
    // The second approver still sees the buttons.
    const ravi = await signedIn(t, 'ravi@example.com');
    expect((await ravi.get(`/requests/${req.id}`)).text).toContain(`action="/requests/${req.id}/review"`);
  });

  it('the step-up page, which chat links and the API point to, sends an outsider to who decides', async (test) => {
    const { t, agent } = await setUp(test);
    const req = await submit(t, agent, { action: 'vault.read', resource: 'kv/app' });
    const audra = await signedIn(t, 'audra@example.com');
    const shown = await audra.get(`/requests/${req.id}/step-up`);
    expect(shown.status).toBe(303);
    expect(shown.location).toBe(`/requests/${req.id}`);
    expect((await audra.get(`/requests/${req.id}`)).text).toContain(
      'You are not in the approver groups of rule vault-reads',
    );
    const rita = await signedIn(t, 'rita@example.com');
    const page = await rita.get(`/requests/${req.id}/step-up`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Confirm with your passkey');
  });
});
