import { describe, expect, it } from 'vitest';
import { auditEvents, type TestServer } from '../../server/test/harness';
import { scim, scimKey } from '../../server/test/scim-harness';
import { serverWithIdp } from '../console/idp-server';

// The identity provider renames a signed-in person (same SCIM user, same IdP subject, a new email):
// the session of the old address ends, the old address cannot sign in again, and the new address
// signs in under the subject pinned for the old one, because SCIM said it is the same person.
const POLICY = ['version: 1', 'rules: []', ''].join('\n');
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const OLD = { sub: 'u-gina', email: 'gina@example.com', email_verified: true };
const NEW = { ...OLD, email: 'gina.new@example.com' };

async function provisioned(t: TestServer) {
  const key = await scimKey(t, 'okta');
  const made = await scim<{ id: string }>(t, key, 'POST', '/Users', {
    userName: OLD.email,
    emails: [{ value: OLD.email, type: 'work', primary: true }],
    active: true,
  });
  expect(made.status).toBe(201);
  return { key, id: made.body.id };
}

const audited = async (t: TestServer, type: string) =>
  (await auditEvents(t, await t.userKey('aud@example.com', ['audit:read']), `type=${type}`)).map((e) => [
    e.subject,
    e.data.reason,
  ]);

describe('IdP sign-in after the identity provider renames the person', () => {
  it('ends the old session, refuses the old address, and lets the new address in under the same subject', async (test) => {
    const { t, signIn } = await serverWithIdp(test, POLICY);
    const { key, id } = await provisioned(t);
    const before = await signIn(OLD);
    expect(before.signedIn).toBe(true);

    const renamed = await scim(t, key, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'userName', value: NEW.email },
        { op: 'replace', path: 'emails[type eq "work"].value', value: NEW.email },
      ],
    });
    expect(renamed.status).toBe(200);
    expect(await audited(t, 'session.ended')).toEqual([['user:gina@example.com', 'deprovisioned']]);

    // An IdP still handing out the old address (a stale session) is refused: that address is no one now.
    const stale = await signIn(OLD);
    expect(stale.status).toBe(403);
    expect(stale.signedIn).toBe(false);

    const after = await signIn(NEW);
    expect(after.status).toBe(200);
    expect(after.signedIn).toBe(true);
    expect(await audited(t, 'session.refused')).toEqual([['user:gina@example.com', 'deprovisioned']]);
  });
});
