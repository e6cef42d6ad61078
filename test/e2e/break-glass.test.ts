import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { sdkAgent } from './fixtures/sdk-agent';
import { agentKey, pendingOf, unique, userKey, useStack } from './fixtures/stack';
import { api } from './processes';

// Issue 16: break-glass through a real server process.
const POLICY = `version: 1
groups:
  reviewers: [rita@example.com, ravi@example.com]
rules:
  - name: prod-fix
    match: { action: "prod.*" }
    effect: review
    approvers: [reviewers]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [reviewers]
default: { effect: deny, reason: not covered }
`;

const stack = useStack(POLICY);
const REASON = 'Payments are down and no approver answers the page at 03:00.';

const breakGlass = (key: string, id: string, reason: string) =>
  api<ActionRequest>(stack.server.url, 'POST', `/v1/actions/${id}/break-glass`, key, { reason });
const followUp = (key: string, id: string, body: Record<string, unknown>) =>
  api<ActionRequest>(stack.server.url, 'POST', `/v1/actions/${id}/follow-up`, key, body);

describe('break-glass', () => {
  it('the requester approves its own request with a reason: granted, audited, follow-up open until signed off', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const handle = await countersign.request({ action: 'prod.restartPayments', params: { force: true } });
    expect(handle.request.breakGlass).toEqual({ notify: ['#security'], reviewWithinMs: 86_400_000 });
    const broken = await breakGlass(agent, handle.id, REASON);
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({
      status: 'approved',
      breakGlass: { reason: REASON, by: handle.request.requester.id, followUp: { status: 'open' } },
    });
    expect(
      Date.parse(broken.body.breakGlass?.followUp?.dueAt ?? '') -
        Date.parse(broken.body.breakGlass?.at ?? ''),
    ).toBe(86_400_000);
    await expect(handle.redeem()).resolves.toMatchObject({ ok: true });

    const auditor = await userKey(stack, 'audra@example.com', 'audit:read');
    const events = await api<{
      events: Array<{ subject: string; actor: string; data: Record<string, unknown> }>;
    }>(stack.server.url, 'GET', '/v1/audit?type=action.break_glass', auditor);
    expect(events.body.events.find((e) => e.subject === handle.id)?.data).toMatchObject({
      reason: REASON,
      notify: ['#security'],
      approvers: ['rita@example.com', 'ravi@example.com'],
      rule: 'prod-fix',
    });

    const signed = await followUp(stack.rita, handle.id, { decision: 'sign_off', comment: 'fair call' });
    expect(signed.body.breakGlass?.followUp).toMatchObject({
      status: 'signed_off',
      by: 'user:rita@example.com',
    });
    const again = await followUp(stack.rita, handle.id, { decision: 'flag', comment: 'changed my mind' });
    expect(again.status).toBe(409);
  });

  it('never on a rule that does not say so; never by anyone but the requester side; a reason of 20 characters', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const exportReq = await countersign.request({ action: 'db.export', params: { rows: 1 } });
    expect(exportReq.request.breakGlass).toBeUndefined();
    const refused = await breakGlass(agent, exportReq.id, REASON);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });

    const prod = await countersign.request({ action: 'prod.flushCache' });
    const short = await breakGlass(agent, prod.id, 'too short');
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ error: { code: 'invalid_request' } });
    const other = await agentKey(stack, unique('other-bot'));
    expect((await breakGlass(other, prod.id, REASON)).status).toBe(404);
    const byApprover = await breakGlass(stack.rita, prod.id, REASON);
    expect(byApprover.status).toBe(403);
    expect((await pendingOf(stack, agent)).status).toBe('pending');
  });

  it('a flag needs a comment; the requester side cannot review its own break-glass', async () => {
    const { agent, countersign } = await sdkAgent(stack, { owner: 'olga@example.com' });
    const handle = await countersign.request({ action: 'prod.rollback' });
    expect((await breakGlass(agent, handle.id, REASON)).status).toBe(200);
    const noComment = await followUp(stack.rita, handle.id, { decision: 'flag' });
    expect(noComment.status).toBe(400);
    const olga = await userKey(stack, 'olga@example.com');
    expect((await followUp(olga, handle.id, { decision: 'sign_off' })).status).toBe(403);
    const flagged = await followUp(stack.rita, handle.id, {
      decision: 'flag',
      comment: 'should have waited',
    });
    expect(flagged.body.breakGlass?.followUp).toMatchObject({
      status: 'flagged',
      comment: 'should have waited',
    });
  });
});
