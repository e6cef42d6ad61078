import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { auditEvents, expectError, keyIdOf, review, serverForTest, submit, type TestServer } from './harness';
import { scim, scimKey } from './scim-harness';

// The trial that found it: the identity provider renames a person (same SCIM id, a new address) and
// a key made for the new address approved her own agent's request as if she were someone else.
const POLICY = `
version: 1
groups:
  solo: [gina@example.com]
rules:
  - name: idp-solo
    match: { action: "solo.*" }
    effect: review
    approvers: [solo]
    standing: { max: 1h, uses: 5 }
  - name: idp-rule
    match: { action: "idp.*" }
    effect: review
    approvers: [idp:"Data"]
    minApprovals: 2
`;

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const REASON = 'identity provider renamed the person';

/** gina, frank and harry in the IdP group "Data"; ivy outside it; bot6 owned by gina. */
async function seed(test: TestContext) {
  const t = await serverForTest(test, { policy: POLICY });
  const key = await scimKey(t, 'okta');
  const ids: Record<string, string> = {};
  for (const who of ['gina', 'frank', 'harry', 'ivy']) {
    const email = `${who}@example.com`;
    const made = await scim<{ id: string }>(t, key, 'POST', '/Users', {
      userName: email,
      emails: [{ value: email, type: 'work', primary: true }],
      active: true,
    });
    expect(made.status).toBe(201);
    ids[who] = made.body.id;
  }
  const group = await scim(t, key, 'POST', '/Groups', {
    displayName: 'Data',
    members: ['gina', 'frank', 'harry'].map((who) => ({ value: ids[who] })),
  });
  expect(group.status).toBe(201);
  const bot6 = await t.agentKey('bot6', 'gina@example.com');
  const auditor = await t.userKey('audra@example.com', ['audit:read']);
  return { t, key, ids, bot6, auditor };
}

/** Okta's rename: PATCH replacing userName and the work email of the same user id. */
const renameGina = (t: TestServer, key: string, id: string | undefined, to = 'gina.new@example.com') =>
  scim(t, key, 'PATCH', `/Users/${id}`, {
    schemas: [PATCH],
    Operations: [
      { op: 'replace', path: 'userName', value: to },
      { op: 'replace', path: 'emails[type eq "work"].value', value: to },
    ],
  });

const reread = async (t: TestServer, key: string, id: string) =>
  (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;

describe('the identity provider renames a person', () => {
  it("keeps her agents hers: the renamed person's approval of her agent's request is self-approval", async (test) => {
    const { t, key, ids, bot6, auditor } = await seed(test);
    const gina = await t.userKey('gina@example.com', ['reviews:write']);
    const req = await submit(t, bot6, { action: 'idp.six' });
    expectError(await review(t, gina, req.id, 'approve'), 403, 'self_approval');

    const renamed = await renameGina(t, key, ids.gina);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ userName: 'gina.new@example.com' });

    const ginaNew = await t.userKey('gina.new@example.com', ['reviews:write']);
    expectError(await review(t, ginaNew, req.id, 'approve'), 403, 'self_approval', 'renamed owner');
    expect((await reread(t, bot6, req.id)).requester).toEqual({
      id: 'agent:bot6',
      owner: 'gina.new@example.com',
    });

    // The agent works on under its renamed owner: two other people approve, it redeems its grant.
    const frank = await t.userKey('frank@example.com', ['reviews:write']);
    const harry = await t.userKey('harry@example.com', ['reviews:write']);
    expect((await review(t, frank, req.id, 'approve')).body.approvals.received).toBe(1);
    expect((await review(t, harry, req.id, 'approve')).body.status).toBe('approved');
    const approved = await reread(t, bot6, req.id);
    const redeem = { token: approved.grant?.token, digest: req.digest };
    expect((await t.call('POST', '/v1/grants/redeem', { key: bot6, body: redeem })).status).toBe(200);
    const later = await submit(t, bot6, { action: 'idp.seven' });
    expect(later.requester).toEqual({ id: 'agent:bot6', owner: 'gina.new@example.com' });
    expectError(await review(t, ginaNew, later.id, 'approve'), 403, 'self_approval', 'a later request');

    const [moved] = await auditEvents(t, auditor, 'type=agent.reassigned');
    expect(moved).toMatchObject({
      actor: 'scim:okta',
      subject: 'agent:bot6',
      data: {
        owner: 'gina.new@example.com',
        previousOwner: 'gina@example.com',
        openRequestsMoved: 1,
        reason: REASON,
      },
    });
  });

  it('moves through PUT too; the old address is refused: its keys revoked, its pending approvals discounted', async (test) => {
    const { t, key, ids, auditor } = await seed(test);
    // ivy's agent asks; gina (as gina@) approves it before the rename.
    const bot7 = await t.agentKey('bot7', 'ivy@example.com');
    const gina = await t.userKey('gina@example.com', ['reviews:write']);
    const req = await submit(t, bot7, { action: 'idp.seven' });
    expect((await review(t, gina, req.id, 'approve')).body.approvals.received).toBe(1);

    const put = await scim(t, key, 'PUT', `/Users/${ids.gina}`, {
      userName: 'gina.new@example.com',
      active: true,
    });
    expect(put.status).toBe(200);

    // A key of the old address would act as someone the identity provider no longer has.
    expectError(await review(t, gina, req.id, 'approve'), 401, 'unauthenticated', 'old key');
    const revoked = await auditEvents(t, auditor, 'type=key.revoked');
    expect(revoked).toEqual([
      expect.objectContaining({
        actor: 'scim:okta',
        subject: keyIdOf(gina),
        data: expect.objectContaining({ principal: 'user:gina@example.com', reason: REASON }),
      }),
    ]);
    // Her vote as gina@ no longer counts, so as gina.new she counts once, not twice.
    expect((await reread(t, bot7, req.id)).approvals.received).toBe(0);
    const ginaNew = await t.userKey('gina.new@example.com', ['reviews:write']);
    expect((await review(t, ginaNew, req.id, 'approve')).body.approvals.received).toBe(1);
    const [discounted] = await auditEvents(t, auditor, 'type=review.discounted');
    expect(discounted?.data).toMatchObject({
      reviewer: 'user:gina@example.com',
      reason: expect.stringContaining(REASON),
    });
    // A later key made for the old address is refused too: the provider took that address away.
    const stale = await t.userKey('gina@example.com', ['reviews:write']);
    expectError(await review(t, stale, req.id, 'approve'), 401, 'unauthenticated', 'a new old-address key');
    // The provider later gives the address to someone (a recycled mailbox): her old key stays dead.
    const recycled = await scim(t, key, 'POST', '/Users', { userName: 'gina@example.com', active: true });
    expect(recycled.status).toBe(201);
    expectError(
      await review(t, gina, req.id, 'approve'),
      401,
      'unauthenticated',
      'old key, address recycled',
    );
  });

  it('a standing approval she gave under the old address lapses, though the policy still lists that address', async (test) => {
    const { t, key, ids, auditor } = await seed(test);
    const bot7 = await t.agentKey('bot7', 'ivy@example.com');
    const gina = await t.userKey('gina@example.com', ['reviews:write']);
    const first = await submit(t, bot7, { action: 'solo.export' });
    const given = await t.call<ActionRequest>('POST', `/v1/actions/${first.id}/reviews`, {
      key: gina,
      body: { decision: 'approve', standing: { for: '1h', uses: 5 } },
    });
    expect(given.body.standing?.role).toBe('created');
    expect((await submit(t, bot7, { action: 'solo.export' })).status).toBe('approved');

    expect((await renameGina(t, key, ids.gina)).status).toBe(200);
    const held = await submit(t, bot7, { action: 'solo.export' });
    expect(held.status).toBe('pending');
    const revoked = (await auditEvents(t, auditor, 'type=standing.revoked')).filter(
      (e) => e.data.standing === given.body.standing?.id,
    );
    expect(revoked).toHaveLength(1);
  });

  it("a person's own open request follows her: the renamed person may not approve it", async (test) => {
    const { t, key, ids } = await seed(test);
    const gina = await t.userKey('gina@example.com', ['actions:write', 'reviews:write']);
    const req = await submit(t, gina, { action: 'idp.mine' });
    expect((await renameGina(t, key, ids.gina)).status).toBe(200);
    const ginaNew = await t.userKey('gina.new@example.com', ['reviews:write']);
    expectError(await review(t, ginaNew, req.id, 'approve'), 403, 'self_approval');
  });

  it("her requests are the new address's, so whoever the old address is given to next gets none of them, also after a rename back", async (test) => {
    const { t, key, ids } = await seed(test);
    const gina = await t.userKey('gina@example.com', ['actions:write', 'reviews:write']);
    const req = await submit(t, gina, { action: 'idp.mine' });
    expect((await renameGina(t, key, ids.gina)).status).toBe(200);
    // The identity provider gives the old address to a new hire.
    const hire = await scim<{ id: string }>(t, key, 'POST', '/Users', {
      userName: 'gina@example.com',
      externalId: 'new-hire',
      emails: [{ value: 'gina@example.com', type: 'work', primary: true }],
      active: true,
    });
    expect(hire.status).toBe(201);
    const hireKey = await t.userKey('gina@example.com', ['actions:write', 'reviews:write']);
    // Not hers to see, cancel or break: it was never her request.
    expectError(await t.call('GET', `/v1/actions/${req.id}`, { key: hireKey }), 404, 'not_found');
    expectError(await t.call('POST', `/v1/actions/${req.id}/cancel`, { key: hireKey }), 404, 'not_found');
    const ginaNew = await t.userKey('gina.new@example.com', ['actions:write', 'reviews:write']);
    expect(await reread(t, ginaNew, req.id)).toMatchObject({
      status: 'pending',
      requester: { id: 'user:gina.new@example.com' },
    });
    // Renamed once more, to a third address: the request follows again, and the second address,
    // free now, is nobody's requester either.
    expect((await renameGina(t, key, ids.gina, 'gina.third@example.com')).status).toBe(200);
    const third = await t.userKey('gina.third@example.com', ['actions:write', 'reviews:write']);
    expect(await reread(t, third, req.id)).toMatchObject({
      requester: { id: 'user:gina.third@example.com' },
    });
    expectError(await review(t, third, req.id, 'approve'), 403, 'self_approval');
  });

  it('refuses a rename onto the address of another live person (409 uniqueness) and moves nothing', async (test) => {
    const { t, key, ids, bot6, auditor } = await seed(test);
    const req = await submit(t, bot6, { action: 'idp.six' });
    const refused = await renameGina(t, key, ids.gina, 'frank@example.com');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect((await reread(t, bot6, req.id)).requester.owner).toBe('gina@example.com');
    expect(await auditEvents(t, auditor, 'type=agent.reassigned')).toEqual([]);
    // frank is still frank, and still not the agent's owner: his approval counts.
    const frank = await t.userKey('frank@example.com', ['reviews:write']);
    expect((await review(t, frank, req.id, 'approve')).body.approvals.received).toBe(1);
  });
});
