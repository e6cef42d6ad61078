import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { auditEvents, expectError, serverForTest, submit, type TestServer } from '../../server/test/harness';
import { signedIn } from './console-client';

// An approval counts only for the version of the request its reviewer saw: a two-person export whose
// second approver opened it before the first approved it with amended (wider) params.
const POLICY = `version: 1
groups:
  data: [carol@example.com, dan@example.com]
rules:
  - name: export
    match: { action: db.export, resource: "customers/**" }
    effect: review
    approvers: [data]
    minApprovals: 2
default: { effect: deny, reason: not covered }
`;

const ZERO = `sha256:${'0'.repeat(64)}`;

async function twoPersonExport(t: TestServer) {
  const agent = await t.agentKey('exporter', 'owen@example.com');
  const request = await submit(t, agent, {
    action: 'db.export',
    resource: 'customers/console',
    params: { rows: 100 },
  });
  const status = async () =>
    (await t.call<ActionRequest>('GET', `/v1/actions/${request.id}`, { key: agent })).body;
  return { agent, request, status };
}

const reviewAs = (t: TestServer, key: string, id: string, body: Record<string, unknown>) =>
  t.call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, { key, body });

describe('a review counts only for the version its reviewer decided on', () => {
  it('the trial: a stale console Approve after an amending approval is refused (409) and the request stays 1 of 2', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const { request, status } = await twoPersonExport(t);
    const carol = await signedIn(t, 'carol@example.com');
    const page = await carol.get(`/requests/${request.id}`);
    expect(page.text).toContain('rows');
    // The Approve and Deny forms carry the digest of the version on the page.
    const forms = [
      ...page.text.matchAll(/<form[^>]*action="\/requests\/[^"]+\/review"[^>]*>([\s\S]*?)<\/form>/g),
    ];
    expect(forms).toHaveLength(2);
    for (const form of forms) expect(form[1]).toContain(`name="digest" value="${request.digest}"`);

    const dan = await t.userKey('dan@example.com', ['reviews:write']);
    const amended = await reviewAs(t, dan, request.id, {
      decision: 'approve',
      amend: { params: { rows: 999_999, include: 'ssn' } },
    });
    expect(amended.status).toBe(200);

    const stale = await carol.post(`/requests/${request.id}/review`, {
      decision: 'approve',
      digest: request.digest,
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('amended');
    expect(stale.text).toContain('dan@example.com');
    const after = await status();
    expect(after).toMatchObject({
      status: 'pending',
      approvals: { received: 1, required: 2 },
      params: { rows: 999_999, include: 'ssn' },
    });
    expect(after.reviews.map((r) => r.reviewer)).toEqual(['user:dan@example.com']);

    // The refusal is audited like every refused review.
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const refused = (await auditEvents(t, auditor, 'type=review.refused')).filter(
      (e) => e.subject === request.id,
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      actor: 'user:carol@example.com',
      data: { code: 'request_changed', via: 'console', digest: request.digest },
    });

    // Carol looks again: the page now shows the amended version and her approval of it counts.
    const fresh = await carol.get(`/requests/${request.id}`);
    expect(fresh.text).toContain(after.digest);
    const approved = await carol.post(`/requests/${request.id}/review`, {
      decision: 'approve',
      digest: after.digest,
    });
    expect(approved.status).toBe(303);
    expect((await status()).status).toBe('approved');
  });

  it('a stale console Deny is refused as well, and nothing is recorded', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const { request, status } = await twoPersonExport(t);
    const carol = await signedIn(t, 'carol@example.com');
    await carol.get(`/requests/${request.id}`);
    const dan = await t.userKey('dan@example.com', ['reviews:write']);
    await reviewAs(t, dan, request.id, { decision: 'approve', amend: { params: { rows: 5 } } });
    const stale = await carol.post(`/requests/${request.id}/review`, {
      decision: 'deny',
      comment: 'no',
      digest: request.digest,
    });
    expect(stale.status).toBe(409);
    expect(await status()).toMatchObject({ status: 'pending', approvals: { received: 1 } });
  });

  it('the API: a stale digest is refused with request_changed naming who amended it and when; nothing is recorded', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const { request, status } = await twoPersonExport(t);
    const dan = await t.userKey('dan@example.com', ['reviews:write']);
    const carol = await t.userKey('carol@example.com', ['reviews:write']);
    await reviewAs(t, dan, request.id, {
      decision: 'approve',
      amend: { params: { rows: 999_999, include: 'ssn' } },
      digest: request.digest,
    });
    const current = await status();
    const stale = await reviewAs(t, carol, request.id, { decision: 'approve', digest: request.digest });
    const error = expectError(stale, 409, 'request_changed');
    expect(error.message).toContain('user:dan@example.com');
    expect(error.message).toContain(current.amended?.at ?? 'never');
    expect(error.details).toEqual([
      expect.objectContaining({ path: 'digest', message: expect.stringContaining(current.digest) }),
    ]);
    expect(await status()).toMatchObject({ status: 'pending', approvals: { received: 1 } });
  });

  it('the API: a digest that is not the current one is refused even when nothing was amended', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const { request, status } = await twoPersonExport(t);
    const carol = await t.userKey('carol@example.com', ['reviews:write']);
    const stale = await reviewAs(t, carol, request.id, { decision: 'approve', digest: ZERO });
    expectError(stale, 409, 'request_changed');
    const malformed = await reviewAs(t, carol, request.id, { decision: 'approve', digest: 'abc' });
    expectError(malformed, 400, 'invalid_request');
    expect(await status()).toMatchObject({ status: 'pending', approvals: { received: 0 } });
  });

  it('the API: an approval with the current digest counts, and one without a digest still counts', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const { request, status } = await twoPersonExport(t);
    const dan = await t.userKey('dan@example.com', ['reviews:write']);
    const carol = await t.userKey('carol@example.com', ['reviews:write']);
    await reviewAs(t, dan, request.id, { decision: 'approve', amend: { params: { rows: 10 } } });
    const current = await status();
    const counted = await reviewAs(t, carol, request.id, { decision: 'approve', digest: current.digest });
    expect(counted.status).toBe(200);
    expect(counted.body).toMatchObject({ status: 'approved', params: { rows: 10 } });

    const other = await twoPersonExport(t);
    const first = await reviewAs(t, dan, other.request.id, { decision: 'approve' });
    const second = await reviewAs(t, carol, other.request.id, { decision: 'approve' });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.status).toBe('approved');
  });
});

describe('a step-up approval: the version is checked at the click that starts the step-up', () => {
  it('a stale Approve on a passkey rule is refused (409) instead of starting a step-up; the current one starts it', async (test) => {
    const policy = POLICY.replace('    minApprovals: 2\n', '    minApprovals: 2\n    stepUp: passkey\n');
    const t = await serverForTest(test, { policy });
    const { request, status } = await twoPersonExport(t);
    const carol = await signedIn(t, 'carol@example.com');
    await carol.get(`/requests/${request.id}`);
    const stale = await carol.post(`/requests/${request.id}/review`, { decision: 'approve', digest: ZERO });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('changed since you opened it');
    const current = await carol.post(`/requests/${request.id}/review`, {
      decision: 'approve',
      digest: request.digest,
    });
    expect(current.status).toBe(303);
    expect(current.location).toBe(`/requests/${request.id}/step-up`);
    expect(await status()).toMatchObject({ status: 'pending', approvals: { received: 0 } });
  });
});
