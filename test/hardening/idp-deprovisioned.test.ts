import { describe, expect, it } from 'vitest';
import { auditEvents, type TestServer } from '../../server/test/harness';
import { scim, scimKey } from '../../server/test/scim-harness';
import { serverWithIdp } from '../console/idp-server';

// A person the identity provider deprovisioned over SCIM may still hold a live session at the IdP
// itself (or the IdP may lag): the console's OIDC sign-in must refuse them all the same, fail closed.
const POLICY = ['version: 1', 'groups:', '  reviewers: [alice@example.com]', 'rules: []', ''].join('\n');
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ALICE = { sub: 'u-alice', email: 'alice@example.com', email_verified: true };

async function provisioned(t: TestServer) {
  const key = await scimKey(t, 'okta');
  const made = await scim<{ id: string }>(t, key, 'POST', '/Users', {
    userName: ALICE.email,
    emails: [{ value: ALICE.email, type: 'work', primary: true }],
    active: true,
  });
  expect(made.status).toBe(201);
  return { key, id: made.body.id };
}

const oidcRefusals = async (t: TestServer) =>
  (await auditEvents(t, await t.userKey('aud@example.com', ['audit:read']), 'type=session.refused')).map(
    (e) => [e.subject, e.data.via, e.data.reason, e.data.idpSubject],
  );

describe('IdP sign-in to the console of a deprovisioned person', () => {
  it('SCIM active=false: refused (403, no session cookie), audited; they had signed in before', async (test) => {
    const { t, signIn } = await serverWithIdp(test, POLICY);
    const { key, id } = await provisioned(t);
    const before = await signIn(ALICE);
    expect(before.status).toBe(200);
    expect(before.signedIn).toBe(true);

    const off = await scim(t, key, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    const after = await signIn(ALICE);
    expect(after.status).toBe(403);
    expect(after.text).toContain('deactivated');
    expect(after.signedIn).toBe(false);
    expect(await oidcRefusals(t)).toEqual([['user:alice@example.com', 'oidc', 'deprovisioned', 'u-alice']]);
  });

  it('SCIM delete: refused the same way, even at a first sign-in (no subject pinned yet)', async (test) => {
    const { t, signIn } = await serverWithIdp(test, POLICY);
    const { key, id } = await provisioned(t);
    expect((await scim(t, key, 'DELETE', `/Users/${id}`)).status).toBe(204);
    const refused = await signIn(ALICE);
    expect(refused.status).toBe(403);
    expect(refused.signedIn).toBe(false);
    expect(await oidcRefusals(t)).toEqual([['user:alice@example.com', 'oidc', 'deprovisioned', 'u-alice']]);
    // And it pinned nothing: the refusal left no trace a later, legitimate sign-in would trip over.
    const pins = await t.rawDb().execute('SELECT count(*) AS n FROM idp_subjects');
    expect(Number(pins.rows[0]?.n)).toBe(0);
  });
});
