import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { sdkAgent } from './fixtures/sdk-agent';
import { type ReviewedStack, userKey, useStack } from './fixtures/stack';
import { api, runCli } from './processes';

// From an adversarial trial: an agent's owner counts as its requester — the *current* owner. Before
// the fix, `agents reassign` left the old owner on the agent's open requests, so the new owner could
// approve them (and sign off their break-glass), and the former owner could still break the glass.
const POLICY = `version: 1
groups:
  reviewers: [rita@example.com, ravi@example.com, bob@example.com]
rules:
  - name: prod-apply
    match: { action: terraform.apply }
    effect: review
    approvers: [reviewers]
    minApprovals: 2
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
default: { effect: deny, reason: not covered }
`;
const REASON = 'Payments are down and no approver answers the page at 03:00.';

type Events = { events: Array<{ type: string; subject: string; data: Record<string, unknown> }> };

const reassign = async (stack: ReviewedStack, name: string, owner: string) => {
  const done = await runCli(['agents', 'reassign', name, '--owner', owner], stack.env);
  expect(done.code).toBe(0);
};
const events = async (stack: ReviewedStack, type: string) => {
  const auditor = await userKey(stack, 'audra@example.com', 'audit:read');
  return (await api<Events>(stack.server.url, 'GET', `/v1/audit?type=${type}`, auditor)).body.events;
};

describe('reassigning an agent moves the requester side of its open requests', { timeout: 120_000 }, () => {
  const stack = useStack(POLICY);
  const url = () => stack.server.url;
  const approve = (key: string, id: string) =>
    api<ActionRequest & { error?: { code: string } }>(url(), 'POST', `/v1/actions/${id}/reviews`, key, {
      decision: 'approve',
    });
  const get = async (key: string, id: string) =>
    (await api<ActionRequest>(url(), 'GET', `/v1/actions/${id}`, key)).body;

  it('the new owner may not approve a request made before, and an approval they gave stops counting', async () => {
    const bob = await userKey(stack, 'bob@example.com');
    const name = 'billing-bot-a';
    const { countersign } = await sdkAgent(stack, { name, owner: 'alice@example.com' });
    const before = await countersign.request({ action: 'terraform.apply', environment: 'prod' });
    const given = await countersign.request({ action: 'terraform.apply', environment: 'prod' });
    expect((await approve(bob, given.id)).body).toMatchObject({ status: 'pending' });

    await reassign(stack, name, 'bob@example.com');

    const refused = await approve(bob, before.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('self_approval');
    expect(await get(stack.rita, before.id)).toMatchObject({
      status: 'pending',
      requester: { owner: 'bob@example.com' },
    });
    // Bob's earlier approval no longer counts: Rita's is the first of two, not the second.
    expect((await approve(stack.rita, given.id)).body).toMatchObject({ status: 'pending' });
    const discounted = (await events(stack, 'review.discounted')).find((e) => e.subject === given.id);
    expect(discounted?.data).toMatchObject({
      reviewer: 'user:bob@example.com',
      reason: expect.stringMatching(/now owns the requesting agent/),
    });
    const moved = (await events(stack, 'agent.reassigned')).find((e) => e.data.owner === 'bob@example.com');
    expect(moved?.data).toMatchObject({ previousOwner: 'alice@example.com', openRequestsMoved: 2 });
  });

  it('the glass passes to the new owner, who may not sign off a break-glass made before', async () => {
    const [alice, bob] = [await userKey(stack, 'alice@example.com'), await userKey(stack, 'bob@example.com')];
    const name = 'billing-bot-b';
    const { agent, countersign } = await sdkAgent(stack, { name, owner: 'alice@example.com' });
    const pending = await countersign.request({ action: 'terraform.apply', environment: 'prod' });
    const broken = await countersign.request({ action: 'terraform.apply', environment: 'prod' });
    const glass = (key: string, id: string) =>
      api<ActionRequest>(url(), 'POST', `/v1/actions/${id}/break-glass`, key, { reason: REASON });
    expect((await glass(agent, broken.id)).status).toBe(200);

    await reassign(stack, name, 'bob@example.com');

    // Not even a 403: the former owner is no longer on the request's side, so it is not theirs to see.
    expect((await glass(alice, pending.id)).status).toBe(404);
    expect((await get(stack.rita, pending.id)).status).toBe('pending');
    const signOff = await api(url(), 'POST', `/v1/actions/${broken.id}/follow-up`, bob, {
      decision: 'sign_off',
    });
    expect(signOff.status).toBe(403);
    expect((await get(stack.rita, broken.id)).breakGlass?.followUp).toMatchObject({ status: 'open' });
    expect((await glass(bob, pending.id)).body).toMatchObject({ status: 'approved' });
  });
});
