import type { ActionRequest } from '@countersign/shared';
import { actionDigest, CountersignError } from '@countersign/shared/sdk';
import { describe, expect, it } from 'vitest';
import { rejection, sdkAgent } from './fixtures/sdk-agent';
import { pendingOf, userKey, useStack } from './fixtures/stack';
import { api } from './processes';

// Issue 16: amend, then approve, through a real server process and the SDK.
const POLICY = `version: 1
groups:
  reviewers: [rita@example.com, ravi@example.com]
rules:
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [reviewers]
  - name: exact-only
    match: { action: db.drop }
    effect: review
    approvers: [reviewers]
    amend: false
  - name: two-people
    match: { action: db.migrate }
    effect: review
    approvers: [reviewers]
    minApprovals: 2
default: { effect: deny, reason: not covered }
`;

const stack = useStack(POLICY);

const amendApprove = (key: string, id: string, params: Record<string, unknown>) =>
  api<ActionRequest>(stack.server.url, 'POST', `/v1/actions/${id}/reviews`, key, {
    decision: 'approve',
    amend: { params },
  });

describe('amend, then approve', () => {
  it('the grant binds to the amended params; guard with acceptAmended runs fn with them; the audit keeps both and the diff', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const seen: unknown[] = [];
    const guarded = countersign.guard(
      { action: 'db.export', resource: 'customers/eu', params: { rows: 50_000, prefix: 'customers/' } },
      (grant) => {
        seen.push(grant.params);
        return 'done';
      },
      { acceptAmended: true },
    );
    const pending = await pendingOf(stack, agent);
    const amended = await amendApprove(stack.rita, pending.id, { rows: 1000, prefix: 'customers/eu/' });
    expect(amended.status).toBe(200);
    const digest = await actionDigest({
      action: 'db.export',
      resource: 'customers/eu',
      params: { rows: 1000, prefix: 'customers/eu/' },
    });
    expect(amended.body).toMatchObject({
      status: 'approved',
      params: { rows: 1000, prefix: 'customers/eu/' },
      digest,
      amended: {
        params: { rows: 1000, prefix: 'customers/eu/' },
        digest,
        by: 'user:rita@example.com',
        original: { params: { rows: 50_000, prefix: 'customers/' }, digest: pending.digest },
      },
    });
    await expect(guarded).resolves.toBe('done');
    expect(seen).toEqual([{ rows: 1000, prefix: 'customers/eu/' }]);

    const auditor = await userKey(stack, 'audra@example.com', 'audit:read');
    const events = await api<{
      events: Array<{ type: string; subject: string; data: Record<string, unknown> }>;
    }>(stack.server.url, 'GET', `/v1/audit?type=action.amended`, auditor);
    const event = events.body.events.find((e) => e.subject === pending.id);
    expect(event?.data).toMatchObject({
      before: { params: { rows: 50_000, prefix: 'customers/' }, digest: pending.digest },
      after: { params: { rows: 1000, prefix: 'customers/eu/' }, digest },
      diff: [
        { path: 'prefix', before: 'customers/', after: 'customers/eu/' },
        { path: 'rows', before: 50_000, after: 1000 },
      ],
    });
  });

  it('guard without acceptAmended refuses to run the function on amended params', async () => {
    const { agent, countersign, runs, fn } = await sdkAgent(stack);
    const guarded = rejection(countersign.guard({ action: 'db.export', params: { rows: 9 } }, fn));
    const pending = await pendingOf(stack, agent);
    expect((await amendApprove(stack.rita, pending.id, { rows: 1 })).status).toBe(200);
    const error = await guarded;
    expect(error).toBeInstanceOf(CountersignError);
    expect((error as CountersignError).code).toBe('amended');
    expect(runs).toHaveLength(0);
  });

  it('a rule with amend: false refuses the amendment (403) and the request stays as submitted', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const handle = await countersign.request({ action: 'db.drop', params: { table: 'x' } });
    const refused = await amendApprove(stack.rita, handle.id, { table: 'y' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'amend_not_allowed' } });
    const after = await pendingOf(stack, agent);
    expect(after).toMatchObject({ status: 'pending', params: { table: 'x' }, digest: handle.digest });
    expect(after.amended).toBeUndefined();
  });

  it('after a first approval of the params as submitted, amending is refused (409)', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const handle = await countersign.request({ action: 'db.migrate', params: { to: 42 } });
    const ravi = await userKey(stack, 'ravi@example.com');
    const first = await api<ActionRequest>(
      stack.server.url,
      'POST',
      `/v1/actions/${handle.id}/reviews`,
      ravi,
      {
        decision: 'approve',
      },
    );
    expect(first.status).toBe(200);
    const late = await amendApprove(stack.rita, handle.id, { to: 41 });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'amend_too_late' } });
    expect(await pendingOf(stack, agent)).toMatchObject({ params: { to: 42 } });
  });

  it('amend with a deny is refused as invalid input', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const handle = await countersign.request({ action: 'db.export', params: { rows: 3 } });
    const bad = await api(stack.server.url, 'POST', `/v1/actions/${handle.id}/reviews`, stack.rita, {
      decision: 'deny',
      comment: 'no',
      amend: { params: { rows: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await pendingOf(stack, agent)).status).toBe('pending');
  });
});
