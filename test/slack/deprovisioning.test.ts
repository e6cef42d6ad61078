import { describe, expect, it } from 'vitest';
import { expectError, submit } from '../../server/test/harness';
import { scim, scimKey } from '../../server/test/scim-harness';
import { auditOf, fetchRequest, postedMessage } from './slack-flows';
import { buttonClick, PEOPLE, postToSlackEvents, useSlackTest, type Who } from './slack-harness';

const s = useSlackTest();

/** Provisions people over SCIM as Okta would; returns their SCIM ids. */
async function provision(key: string, who: Who[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const person of who) {
    const { email } = PEOPLE[person];
    const made = await scim<{ id: string }>(s.t, key, 'POST', '/Users', {
      userName: email,
      emails: [{ value: email, type: 'work', primary: true }],
      active: true,
    });
    expect(made.status).toBe(201);
    ids[person] = made.body.id;
  }
  return ids;
}

describe('a person the identity provider deactivates', () => {
  it('loses their counted vote, their click in Slack is refused, and their agent is refused', async () => {
    const key = await scimKey(s.t, 'okta');
    const ids = await provision(key, ['carol', 'dan', 'erin']);
    const agent = await s.t.agentKey('export-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'db.export', resource: 'customers/eu' });
    const ref = await postedMessage(s.slack, req.id);
    await postToSlackEvents(s.t, buttonClick(s.slack, 'carol', 'countersign.approve', req.id, ref));
    // Bolt acks the click first and decides after: wait for the vote to count.
    await expect.poll(async () => (await fetchRequest(s.t, agent, req.id)).approvals.received).toBe(1);

    const off = await scim(s.t, key, 'PATCH', `/Users/${ids.carol}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect((await fetchRequest(s.t, agent, req.id)).approvals).toEqual({ required: 2, received: 0 });

    // Her click now is refused by the core (read in the review's transaction) and audited.
    const click = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'carol', 'countersign.approve', req.id, ref),
    );
    expect(click.status).toBe(200);
    await expect
      .poll(async () =>
        (await auditOf(s.t, req.id)).filter((e) => e.type === 'review.refused').map((e) => e.data.code),
      )
      .toEqual(['identity_unusable']);
    const after = await fetchRequest(s.t, agent, req.id);
    expect(after).toMatchObject({ status: 'pending', approvals: { received: 0 } });
    const discounted = (await auditOf(s.t, req.id)).filter((e) => e.type === 'review.discounted');
    expect(discounted.map((e) => e.data.reviewer)).toEqual(['user:carol@example.com']);

    // Erin owns the agent: once she is deactivated, its next request is refused.
    await scim(s.t, key, 'PATCH', `/Users/${ids.erin}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    const next = await s.t.call('POST', '/v1/actions', {
      key: agent,
      body: { action: 'db.export', resource: 'customers/us' },
    });
    expectError(next, 403, 'owner_inactive');
  });
});
