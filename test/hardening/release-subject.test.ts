import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../server/test/harness';
import { serverWithIdp } from '../console/idp-server';
import { runCli } from '../e2e/processes';

// An account moved at the identity provider arrives with a new `sub` for the same email: refused
// (subject_mismatch) until an operator releases the pinned one. That took raw SQL before.
const POLICY = ['version: 1', 'groups:', '  reviewers: [alice@example.com]', 'rules: []', ''].join('\n');

describe('countersign people release-subject', () => {
  it('releases the pinned subject (audited), so the moved account signs in and is pinned anew', async (test) => {
    const { t, signIn } = await serverWithIdp(test, POLICY);
    const env = { COUNTERSIGN_DB_URL: `file:${t.dbFile}` };
    expect((await signIn({ sub: 'u-old', email: 'alice@example.com', email_verified: true })).status).toBe(
      200,
    );
    const moved = { sub: 'u-new', email: 'alice@example.com', email_verified: true };
    const refused = await signIn(moved);
    expect(refused.status).toBe(403);
    expect(refused.signedIn).toBe(false);

    const released = await runCli(['people', 'release-subject', 'Alice@Example.com'], env);
    expect(released.stderr).toBe('');
    expect(released.code).toBe(0);
    expect(released.stdout).toContain('Released alice@example.com from IdP subject u-old');

    const after = await signIn(moved);
    expect(after.status).toBe(200);
    expect(after.signedIn).toBe(true);
    const auditor = await t.userKey('aud@example.com', ['audit:read']);
    const events = await auditEvents(t, auditor, 'type=identity.subject_released,session.started');
    expect(events.map((e) => [e.type, e.actor, e.subject, e.data.idpSubject, e.data.pinned])).toEqual([
      ['session.started', 'user:alice@example.com', 'user:alice@example.com', 'u-old', true],
      ['identity.subject_released', 'system:cli', 'user:alice@example.com', 'u-old', undefined],
      ['session.started', 'user:alice@example.com', 'user:alice@example.com', 'u-new', true],
    ]);
  });

  it('refuses, changing nothing: an email with nothing pinned (not_found), a look-alike, no argument', async (test) => {
    const { t, signIn } = await serverWithIdp(test, POLICY);
    const env = { COUNTERSIGN_DB_URL: `file:${t.dbFile}` };
    expect((await signIn({ sub: 'u-1', email: 'alice@example.com', email_verified: true })).status).toBe(200);

    const none = await runCli(['people', 'release-subject', 'bob@example.com'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^not_found: .*bob@example\.com/);
    const lookAlike = await runCli(['people', 'release-subject', '\u212Alice@example.com'], env);
    expect(lookAlike.code).toBe(1);
    expect(lookAlike.stderr).toMatch(/^identity_unusable: email:/);
    const bare = await runCli(['people', 'release-subject'], env);
    expect(bare.code).toBe(64);
    expect(bare.stderr).toContain('usage: countersign people release-subject');

    const pins = await t.rawDb().execute('SELECT email, subject FROM idp_subjects');
    expect(pins.rows.map((r) => [r.email, r.subject])).toEqual([['alice@example.com', 'u-1']]);
    const auditor = await t.userKey('aud@example.com', ['audit:read']);
    expect(await auditEvents(t, auditor, 'type=identity.subject_released')).toEqual([]);
  });
});
