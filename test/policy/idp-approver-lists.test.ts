import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import type { Actor } from '../../server/src/context';
import { reviewQueue } from '../../server/src/services/actions/review-queue';
import { serverForTest, submit } from '../../server/test/harness';
import { scim, scimKey } from '../../server/test/scim-harness';

// Whoever may approve a request finds it in their list and queue, whether the rule names the IdP group
// itself (`approvers: [idp:"SRE On-Call"]`) or a policy group it is mapped into.
const POLICY = `version: 1
groups:
  sre: [idp:"SRE On-Call"]
rules:
  - name: direct
    match: { action: "db.*" }
    effect: review
    approvers: [idp:"SRE On-Call"]
  - name: mapped
    match: { action: "prod.*" }
    effect: review
    approvers: [sre]
default: { effect: deny, reason: no }
`;

async function seed(test: TestContext) {
  const t = await serverForTest(test, { policy: POLICY });
  const key = await scimKey(t, 'okta');
  const bob = await scim<{ id: string }>(t, key, 'POST', '/Users', {
    userName: 'bob@example.com',
    emails: [{ value: 'bob@example.com', type: 'work', primary: true }],
    active: true,
  });
  expect(bob.status).toBe(201);
  expect(
    (await scim(t, key, 'POST', '/Groups', { displayName: 'SRE On-Call', members: [{ value: bob.body.id }] }))
      .status,
  ).toBe(201);
  const agent = await t.agentKey('etl', 'olga@example.com');
  const direct = await submit(t, agent, { action: 'db.export', resource: 'orders' });
  const mapped = await submit(t, agent, { action: 'prod.restart', resource: 'web' });
  return { t, direct, mapped, bob: await t.userKey('bob@example.com', ['reviews:write']) };
}

describe('an IdP group member lists the requests they may approve', () => {
  it('GET /v1/actions shows both: named directly and through a mapped policy group', async (test) => {
    const { t, direct, mapped, bob } = await seed(test);
    const listed = await t.call<{ items: ActionRequest[] }>('GET', '/v1/actions?limit=100', { key: bob });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r) => r.id).sort()).toEqual([direct.id, mapped.id].sort());
    // And each can be read and approved: the list says what the core allows.
    for (const id of [direct.id, mapped.id]) {
      const got = await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key: bob });
      expect(got.status).toBe(200);
    }
  });

  it("the review queue (Slack's App Home, the console) holds both", async (test) => {
    const { t, direct, mapped } = await seed(test);
    const actor: Actor = {
      kind: 'person',
      via: 'slack',
      id: 'user:bob@example.com',
      email: 'bob@example.com',
      slackUserId: 'U1',
    };
    const queue = await reviewQueue({ ctx: { core: t.server.core, actor } });
    expect(JSON.stringify(queue)).toContain(direct.id);
    expect(JSON.stringify(queue)).toContain(mapped.id);
  });
});
