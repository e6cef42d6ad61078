import type { ActionRequest, ErrorBody } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { review, reviewPolicy, serverForTest, submit } from './harness';
import { scim, scimKey } from './scim-harness';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

// A long-poll is authenticated when it starts; its answer (which may carry a grant token) comes up
// to a minute later. The identity provider taking the caller's person, or its agent's owner, away
// meanwhile must hold at once, as a revoked key does (test/e2e/revoked-wait.test.ts).
describe('a long-poll whose caller is deprovisioned while it waits', () => {
  it("gets 401 unauthenticated, for a person's key and for an agent whose owner left", async (test) => {
    const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
    const idp = await scimKey(t, 'okta');
    const ids: Record<string, string> = {};
    for (const who of ['alice', 'erin']) {
      const email = `${who}@example.com`;
      const made = await scim<{ id: string }>(t, idp, 'POST', '/Users', {
        userName: email,
        emails: [{ value: email, type: 'work', primary: true }],
        active: true,
      });
      ids[who] = made.body.id;
    }
    const deactivate = (who: string) =>
      scim(t, idp, 'PATCH', `/Users/${ids[who]}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const erin = await t.userKey('erin@example.com', ['actions:write']);
    const fromAgent = await submit(t, agent, { action: 'deploy.run' });
    const fromErin = await submit(t, erin, { action: 'deploy.run' });
    const wait = (key: string, id: string) =>
      t.call<ActionRequest | ErrorBody>('GET', `/v1/actions/${id}?wait=30`, { key });
    const waits = [wait(agent, fromAgent.id), wait(erin, fromErin.id)];

    expect((await deactivate('alice')).status).toBe(200);
    expect((await deactivate('erin')).status).toBe(200);
    for (const id of [fromAgent.id, fromErin.id]) await review(t, bob, id, 'approve');
    for (const answered of await Promise.all(waits)) {
      expect(answered.status).toBe(401);
      expect(answered.body).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(JSON.stringify(answered.body)).not.toContain('grant');
    }
  });
});
