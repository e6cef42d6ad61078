import type { ActionRequest } from '@countersign/shared';
import { parsePolicy, policyWarnings } from '@countersign/shared/policy';
import { describe, expect, it, type TestContext } from 'vitest';
import { reassignAgent } from '../src/services/agents/reassign-agent';
import { auditEvents, expectError, review, serverForTest, submit, type TestServer } from './harness';
import { scim, scimKey } from './scim-harness';

const POLICY = `
version: 1
rules:
  - name: needs-sre
    match: { action: "**" }
    effect: review
    approvers: [idp:"SRE On-Call"]
    minApprovals: 2
`;

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A server whose approvers are the IdP group "SRE On-Call" (bob, carol, dan), provisioned over SCIM. */
async function seed(test: TestContext) {
  const t = await serverForTest(test, { policy: POLICY });
  const key = await scimKey(t, 'okta');
  const ids: Record<string, string> = {};
  for (const who of ['alice', 'bob', 'carol', 'dan', 'erin']) {
    const email = `${who}@example.com`;
    const made = await scim<{ id: string }>(t, key, 'POST', '/Users', {
      userName: email,
      emails: [{ value: email, type: 'work', primary: true }],
      active: true,
    });
    expect(made.status).toBe(201);
    ids[who] = made.body.id;
  }
  const group = await scim<{ id: string }>(t, key, 'POST', '/Groups', {
    displayName: 'SRE On-Call',
    members: ['bob', 'carol', 'dan'].map((who) => ({ value: ids[who] })),
  });
  expect(group.status).toBe(201);
  const people = {
    bob: await t.userKey('bob@example.com', ['reviews:write']),
    carol: await t.userKey('carol@example.com', ['reviews:write']),
    dan: await t.userKey('dan@example.com', ['reviews:write']),
  };
  const agent = await t.agentKey('deploy-bot', 'alice@example.com');
  const auditor = await t.userKey('audra@example.com', ['audit:read']);
  const deactivate = (who: string) =>
    scim(t, key, 'PATCH', `/Users/${ids[who]}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
  return { t, key, ids, groupId: group.body.id, people, agent, auditor, deactivate };
}

const reread = async (t: TestServer, key: string, id: string) =>
  (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;

describe('deprovisioning over SCIM', () => {
  it("drops a deactivated approver's counted vote (audited with the SCIM request id) and refuses their key", async (test) => {
    const { t, people, agent, auditor, deactivate } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect((await review(t, people.bob, req.id, 'approve')).body.approvals.received).toBe(1);

    const off = await deactivate('bob');
    expect(off.status).toBe(200);
    const after = await reread(t, agent, req.id);
    expect(after).toMatchObject({ status: 'pending', approvals: { required: 2, received: 0 } });
    const [discounted] = await auditEvents(t, auditor, 'type=review.discounted');
    expect(discounted?.data).toMatchObject({
      reviewer: 'user:bob@example.com',
      reason: expect.stringMatching(/deactivated by the identity provider \(SCIM request \S+\)/),
    });
    const [event] = await auditEvents(t, auditor, 'type=identity.user.deactivated');
    expect(event).toMatchObject({ actor: 'scim:okta', subject: 'user:bob@example.com' });

    // Bob's key no longer authenticates; Carol and Dan still make the quorum of two.
    expectError(await review(t, people.bob, req.id, 'approve'), 401, 'unauthenticated');
    await review(t, people.carol, req.id, 'approve');
    expect((await review(t, people.dan, req.id, 'approve')).body.status).toBe('approved');
  });

  it('refuses requests from agents a deactivated person owns with 403 owner_inactive until reassigned', async (test) => {
    const { t, agent, deactivate } = await seed(test);
    await submit(t, agent, { action: 'deploy.run' });
    expect((await deactivate('alice')).status).toBe(200);
    const refused = await t.call('POST', '/v1/actions', { key: agent, body: { action: 'deploy.run' } });
    expectError(refused, 403, 'owner_inactive');
    const ctx = { core: t.server.core, actor: { kind: 'system', id: 'system:cli' } as const };
    await expect(reassignAgent({ ctx, name: 'deploy-bot', owner: 'bob@example.com' })).resolves.toMatchObject(
      {
        previousOwner: 'alice@example.com',
      },
    );
    expect((await t.call('POST', '/v1/actions', { key: agent, body: { action: 'deploy.run' } })).status).toBe(
      201,
    );
  });

  it('a deleted person stays refused; reactivation restores them', async (test) => {
    const { t, key, ids, people, agent, deactivate } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    await deactivate('carol');
    expect((await review(t, people.carol, req.id, 'approve')).status).toBe(401);
    await scim(t, key, 'PATCH', `/Users/${ids.carol}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    // Reactivated, and still a member of the group: she may approve again.
    expect((await review(t, people.carol, req.id, 'approve')).status).toBe(200);
    expect((await scim(t, key, 'DELETE', `/Users/${ids.dan}`)).status).toBe(204);
    expect((await review(t, people.dan, req.id, 'approve')).status).toBe(401);
  });

  it("re-checks quorum when a member leaves the group (Entra's value-list removal)", async (test) => {
    const { t, key, ids, groupId, people, agent, auditor } = await seed(test);
    const req = await submit(t, agent, { action: 'deploy.run' });
    await review(t, people.carol, req.id, 'approve');
    const removed = await scim(t, key, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: ids.carol }] }],
    });
    expect(removed.status).toBe(204);
    expect((await reread(t, agent, req.id)).approvals.received).toBe(0);
    const [discounted] = await auditEvents(t, auditor, 'type=review.discounted');
    expect(discounted?.data).toMatchObject({ reviewer: 'user:carol@example.com' });
    expectError(await review(t, people.carol, req.id, 'approve'), 403, 'not_an_approver');
  });

  it('fails closed for an IdP group nobody provisioned, and policy check warns of it', async (test) => {
    const policy = POLICY.replace('SRE On-Call', 'Data Protection');
    const t = await serverForTest(test, { policy });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    expectError(await review(t, bob, req.id, 'approve'), 403, 'not_an_approver');
    const parsed = parsePolicy(policy, 'policy.yaml');
    if (!parsed.ok) throw new Error('the policy should be valid');
    const warnings = policyWarnings(parsed.policy, policy, 'policy.yaml', { slack: false, idpGroups: [] });
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/has not provisioned a group "Data Protection"/),
    ]);
    expect(
      policyWarnings(parsed.policy, policy, 'policy.yaml', { slack: false, idpGroups: ['data protection'] }),
    ).toEqual([]);
  });
});
