import type { ActionRequest, StandingApproval } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { sdkAgent } from './fixtures/sdk-agent';
import { userKey, useStack } from './fixtures/stack';
import { api } from './processes';

// Issue 16: standing approvals ("this and the same again") through a real server process.
const POLICY = `version: 1
groups:
  reviewers: [rita@example.com, ravi@example.com]
rules:
  - name: reports
    match: { action: "reports.*" }
    effect: review
    approvers: [reviewers]
    standing: { max: 1h, uses: 3 }
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [reviewers]
default: { effect: deny, reason: not covered }
`;

const stack = useStack(POLICY);

const approve = (id: string, body: Record<string, unknown> = {}) =>
  api<ActionRequest>(stack.server.url, 'POST', `/v1/actions/${id}/reviews`, stack.rita, {
    decision: 'approve',
    ...body,
  });

describe('standing approvals', () => {
  it('approves the same action again at once, each with its own grant and audit event, until the uses run out', async () => {
    const { countersign } = await sdkAgent(stack);
    const first = await countersign.request({ action: 'reports.run', resource: 'reports/eu/q1' });
    const created = await approve(first.id, { standing: { for: '30m', uses: 2, resource: 'reports/eu/*' } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: 'approved',
      standing: { role: 'created', by: 'user:rita@example.com', resource: 'reports/eu/*', usesLeft: 2 },
    });
    const standingId = created.body.standing?.id;

    const second = await countersign.request({ action: 'reports.run', resource: 'reports/eu/q2' });
    expect(second.request).toMatchObject({ status: 'approved', standing: { id: standingId, role: 'used' } });
    expect(second.request.grant).toBeDefined();
    await expect(second.redeem()).resolves.toMatchObject({ ok: true });
    // A list item is the same ActionRequest as the request itself: standing included.
    const listed = await api<{ items: ActionRequest[] }>(stack.server.url, 'GET', '/v1/actions', stack.rita);
    expect(listed.body.items.find((r) => r.id === first.id)?.standing).toMatchObject({
      id: standingId,
      role: 'created',
      usesLeft: 1,
    });
    expect(listed.body.items.find((r) => r.id === second.id)?.standing).toMatchObject({
      id: standingId,
      role: 'used',
    });
    // Outside the pattern: held as usual.
    const other = await countersign.request({ action: 'reports.run', resource: 'reports/us/q2' });
    expect(other.request.status).toBe('pending');
    const third = await countersign.request({ action: 'reports.run', resource: 'reports/eu/q3' });
    expect(third.request.status).toBe('approved');
    const fourth = await countersign.request({ action: 'reports.run', resource: 'reports/eu/q4' });
    expect(fourth.request.status).toBe('pending');

    const auditor = await userKey(stack, 'audra@example.com', 'audit:read');
    const used = await api<{ events: Array<{ subject: string; data: Record<string, unknown> }> }>(
      stack.server.url,
      'GET',
      '/v1/audit?type=standing.used',
      auditor,
    );
    expect(
      used.body.events
        .filter((e) => e.data.standing === standingId)
        .map((e) => e.subject)
        .sort(),
    ).toEqual([second.id, third.id].sort());
  });

  it('another requester is not covered; any approver revokes it; the list shows it while live', async () => {
    const { countersign } = await sdkAgent(stack);
    const { countersign: someoneElse } = await sdkAgent(stack);
    const first = await countersign.request({ action: 'reports.daily' });
    const created = await approve(first.id, { standing: { for: '1h', uses: 3 } });
    const standingId = created.body.standing?.id ?? '';
    expect((await someoneElse.request({ action: 'reports.daily' })).request.status).toBe('pending');

    const ravi = await userKey(stack, 'ravi@example.com');
    const listed = await api<{ items: StandingApproval[] }>(
      stack.server.url,
      'GET',
      '/v1/standing-approvals',
      ravi,
    );
    expect(listed.body.items.map((s) => s.id)).toContain(standingId);
    const revoked = await api<StandingApproval>(
      stack.server.url,
      'POST',
      `/v1/standing-approvals/${standingId}/revoke`,
      ravi,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked?.by).toBe('user:ravi@example.com');
    expect((await countersign.request({ action: 'reports.daily' })).request.status).toBe('pending');
    const after = await api<{ items: StandingApproval[] }>(
      stack.server.url,
      'GET',
      '/v1/standing-approvals',
      ravi,
    );
    expect(after.body.items.map((s) => s.id)).not.toContain(standingId);
  });

  it('refused where the rule does not allow it, beyond its limits, or for another resource', async () => {
    const { countersign } = await sdkAgent(stack);
    const exportReq = await countersign.request({ action: 'db.export' });
    const notAllowed = await approve(exportReq.id, { standing: { for: '10m', uses: 1 } });
    expect(notAllowed.status).toBe(400);
    expect(notAllowed.body).toMatchObject({ error: { code: 'invalid_request' } });
    const report = await countersign.request({ action: 'reports.run', resource: 'reports/eu/q1' });
    expect((await approve(report.id, { standing: { for: '2h', uses: 1 } })).status).toBe(400);
    expect((await approve(report.id, { standing: { for: '10m', uses: 4 } })).status).toBe(400);
    expect(
      (await approve(report.id, { standing: { for: '10m', uses: 1, resource: 'reports/us/*' } })).status,
    ).toBe(400);
    expect(report.request.status).toBe('pending');
    const still = await api<ActionRequest>(stack.server.url, 'GET', `/v1/actions/${report.id}`, stack.rita);
    expect(still.body.status).toBe('pending');
  });
  // Adversarial trial: "the same again" means the same environment, and a pattern starting with a literal segment.
  it('a standing approval covers only the environment of the request that created it', async () => {
    const { countersign } = await sdkAgent(stack);
    const staging = await countersign.request({
      action: 'reports.daily',
      resource: 'r/1',
      environment: 'staging',
    });
    const created = await approve(staging.id, { standing: { for: '30m', uses: 3 } });
    expect(created.status).toBe(200);
    const standingId = created.body.standing?.id ?? '';
    // The request shows what its standing approval covers, environment included.
    expect(created.body.standing).toMatchObject({ environment: 'staging', role: 'created' });
    const prod = await countersign.request({ action: 'reports.daily', resource: 'r/1', environment: 'prod' });
    expect(prod.request.status).toBe('pending');
    const bare = await countersign.request({ action: 'reports.daily', resource: 'r/1' });
    expect(bare.request.status).toBe('pending');
    const again = await countersign.request({
      action: 'reports.daily',
      resource: 'r/1',
      environment: 'staging',
    });
    expect(again.request).toMatchObject({
      status: 'approved',
      standing: { id: standingId, role: 'used', environment: 'staging' },
    });
    const listed = await api<{ items: StandingApproval[] }>(
      stack.server.url,
      'GET',
      '/v1/standing-approvals',
      stack.rita,
    );
    expect(listed.body.items.find((s) => s.id === standingId)).toMatchObject({ environment: 'staging' });
  });

  it('a standing approval given without an environment does not cover one with an environment', async () => {
    const { countersign } = await sdkAgent(stack);
    const first = await countersign.request({ action: 'reports.weekly', resource: 'r/2' });
    const created = await approve(first.id, { standing: { for: '30m', uses: 3 } });
    expect(created.status).toBe(200);
    const prod = await countersign.request({
      action: 'reports.weekly',
      resource: 'r/2',
      environment: 'prod',
    });
    expect(prod.request.status).toBe('pending');
    const bare = await countersign.request({ action: 'reports.weekly', resource: 'r/2' });
    expect(bare.request).toMatchObject({ status: 'approved', standing: { role: 'used' } });
  });

  it('refuses a pattern without a literal first segment; reports/eu/* still works', async () => {
    const { countersign } = await sdkAgent(stack);
    const report = await countersign.request({ action: 'reports.monthly', resource: 'reports/eu/q1' });
    for (const resource of ['**', '*/eu/q1', '*/**', 'rep*/eu/*', '{reports,x}/eu/*']) {
      const refused = await approve(report.id, { standing: { for: '10m', uses: 1, resource } });
      expect(refused.status, resource).toBe(400);
      expect(refused.body, resource).toMatchObject({
        error: { code: 'invalid_request', details: [{ path: 'standing.resource' }] },
      });
    }
    const still = await api<ActionRequest>(stack.server.url, 'GET', `/v1/actions/${report.id}`, stack.rita);
    expect(still.body.status).toBe('pending');
    const ok = await approve(report.id, { standing: { for: '10m', uses: 1, resource: 'reports/eu/*' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'approved',
      standing: { role: 'created', resource: 'reports/eu/*' },
    });
  });
});
