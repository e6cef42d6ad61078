import { describe, expect, it, type TestContext } from 'vitest';
import { auditEvents, serverForTest } from '../../server/test/harness';
import { scim, scimKey } from '../../server/test/scim-harness';
import { signedIn } from './console-client';

// Issue 14: deprovisioning is instant, sessions included. A person signed in to the console whom the
// identity provider deactivates (or deletes) over SCIM is sent to sign in on their next page load.

const POLICY = [
  'version: 1',
  'groups:',
  '  reviewers: [alice@example.com, bob@example.com]',
  'rules:',
  '  - name: all',
  '    match: { action: "**" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '',
].join('\n');
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** alice and bob provisioned over SCIM (as Okta would), both signed in to the console. */
async function seed(test: TestContext) {
  const t = await serverForTest(test, { policy: POLICY });
  const key = await scimKey(t, 'okta');
  const ids: Record<string, string> = {};
  for (const who of ['alice', 'bob']) {
    const email = `${who}@example.com`;
    const made = await scim<{ id: string }>(t, key, 'POST', '/Users', {
      userName: email,
      emails: [{ value: email, type: 'work', primary: true }],
      active: true,
    });
    expect(made.status).toBe(201);
    ids[who] = made.body.id;
  }
  const alice = await signedIn(t, 'alice@example.com');
  const bob = await signedIn(t, 'bob@example.com');
  expect((await alice.get('/')).status).toBe(200);
  const ended = async () =>
    auditEvents(t, await t.userKey('aud@example.com', ['audit:read']), 'type=session.ended');
  return { t, key, ids, alice, bob, ended };
}

describe('deprovisioning ends console sessions', () => {
  it('a SCIM deactivation sends the signed-in person to sign in; audited session.ended; others stay signed in', async (test) => {
    const { t, key, ids, alice, bob, ended } = await seed(test);
    const cookie = alice.cookie;
    const off = await scim(t, key, 'PATCH', `/Users/${ids.alice}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);

    alice.cookie = cookie; // the browser still holds the cookie it was given
    const page = await alice.get('/');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/auth\/login\?/);
    expect(page.location).toContain('reason=ended');
    alice.cookie = cookie;
    expect((await alice.get('/security')).location).toMatch(/^\/auth\/login\?/);
    expect((await bob.get('/')).status).toBe(200);

    const [event] = await ended();
    expect(event).toMatchObject({
      subject: 'user:alice@example.com',
      data: { reason: 'deprovisioned', sessions: 1 },
    });
    // A new sign-in is refused too: a one-time link does not start a session for a deactivated person.
    await expect(signedIn(t, 'alice@example.com')).rejects.toThrow(/link sign-in failed: 4\d\d/);
    const refused = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=session.refused',
    );
    expect(refused.map((e) => [e.subject, e.data.reason])).toEqual([
      ['user:alice@example.com', 'deprovisioned'],
    ]);
  });

  it('a SCIM delete ends the session the same way', async (test) => {
    const { t, key, ids, alice, ended } = await seed(test);
    const cookie = alice.cookie;
    expect((await scim(t, key, 'DELETE', `/Users/${ids.alice}`)).status).toBe(204);
    alice.cookie = cookie;
    const page = await alice.get('/');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/auth\/login\?/);
    expect((await ended()).map((e) => e.data.reason)).toEqual(['deprovisioned']);
  });
});
