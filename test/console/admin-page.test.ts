import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkSlackUser } from '../../server/src/services/slack/slack-links';
import { linkTeamsUser } from '../../server/src/services/teams/teams-links';
import { auditEvents, keyIdOf, serverForTest } from '../../server/test/harness';
import { tempDir } from '../e2e/processes';
import { signedIn } from './console-client';

const POLICY = [
  'version: 1',
  'groups:',
  '  reviewers: [alice@example.com]',
  '  platform-admins: [root@example.com]',
  'access: { admin: [platform-admins], audit: [platform-admins] }',
  'rules:',
  '  - name: reads-are-free',
  '    match: { action: "aws.*.get*" }',
  '    effect: allow',
  '  - name: needs-review',
  '    match: { action: "**" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '',
].join('\n');

const CASES = [
  'cases:',
  '  - name: reads are free',
  '    request: { action: aws.s3.getObject, requester: "agent:bot" }',
  '    expect: { effect: allow, rule: reads-are-free }',
  '  - name: deploys are denied outright',
  '    request: { action: deploy.run, requester: "agent:bot" }',
  '    expect: { effect: deny }',
  '',
].join('\n');

describe('console Admin page', () => {
  it('Rotate answers the new key once and revokes the old one; a grace keeps the old one working', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const root = await signedIn(t, 'root@example.com');
    const old = await t.agentKey('deployer', 'carol@example.com');
    const listing = await root.get('/admin');
    expect(listing.text).toContain(`aria-label="Rotate ${keyIdOf(old)} (agent:deployer)"`);
    const rotated = await root.post(`/admin/keys/${keyIdOf(old)}/rotate`, { graceMinutes: '0' });
    expect(rotated.status).toBe(201);
    const token = /<code id="new-key">([^<]+)<\/code>/.exec(rotated.text)?.[1] ?? '';
    expect(token).toMatch(/^csk_/);
    expect(rotated.text).toContain(`Key ${keyIdOf(old)} is revoked.`);
    expect((await t.call('GET', '/v1/me', { key: old })).status).toBe(401);
    expect((await t.call('GET', '/v1/me', { key: token })).status).toBe(200);
    expect((await root.get('/admin')).text).not.toContain(token);

    const graced = await root.post(`/admin/keys/${keyIdOf(token)}/rotate`, { graceMinutes: '60' });
    expect(graced.status).toBe(201);
    expect(graced.text).toMatch(
      new RegExp(`Key ${keyIdOf(token)} keeps working until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`),
    );
    expect((await t.call('GET', '/v1/me', { key: token })).status).toBe(200);
    // The core's refusal in words: a bad grace, and a key already revoked.
    const bad = await root.post(`/admin/keys/${keyIdOf(token)}/rotate`, { graceMinutes: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('the grace period is whole minutes');
    const again = await root.post(`/admin/keys/${keyIdOf(old)}/rotate`, {});
    expect(again.status).toBe(400);
    expect(again.text).toContain('is revoked or expired');
    const admin = await t.userKey('aud@example.com', ['audit:read']);
    const rotations = await auditEvents(t, admin, 'type=key.rotated');
    expect(rotations.map((e) => [e.actor, e.subject])).toEqual([
      ['user:root@example.com', keyIdOf(old)],
      ['user:root@example.com', keyIdOf(token)],
    ]);
    // Not for a non-admin.
    const alice = await signedIn(t, 'alice@example.com');
    expect((await alice.post(`/admin/keys/${keyIdOf(token)}/rotate`, {})).status).toBe(403);
  });

  it("shows the policy's own test cases run against the policy in force, pass and fail per case", async (test) => {
    const dir = await tempDir();
    test.onTestFinished(() => dir.remove());
    const cases = join(dir.dir, 'cases.yaml');
    await writeFile(cases, CASES);
    const t = await serverForTest(test, { policy: POLICY, env: { COUNTERSIGN_POLICY_CASES: cases } });
    const root = await signedIn(t, 'root@example.com');
    const page = (await root.get('/admin')).text;
    expect(page).toContain('Policy test cases');
    expect(page).toContain('1 of 2 cases fail');
    expect(page).toMatch(
      /reads are free <span class="muted">\(line \d+\)<\/span><\/td><td class="small"><span class="status s-ok">Pass/,
    );
    expect(page).toMatch(/deploys are denied outright .*?<span class="status s-bad">Fail<\/span>/);
    expect(page).toContain('effect: expected &quot;deny&quot;, got &quot;review&quot;');
    // The policy in force, not the file on disk: a reload to a policy that denies makes both pass.
    await t.writePolicy(
      POLICY.replace(
        /effect: review\n\s+approvers: \[reviewers\]/,
        'effect: deny\n    reason: no deploys today',
      ),
    );
    const reloaded = await root.post('/admin/policy/reload', {});
    expect(reloaded.status, reloaded.text).toBe(303);
    expect((await root.get('/admin')).text).toContain('All 2 cases pass');
    // A cases file that does not parse is shown as unusable, never as passing.
    await writeFile(cases, 'cases: [ { name: x } ]\n');
    const broken = (await root.get('/admin')).text;
    expect(broken).toContain('Cases file not usable');
    expect(broken).not.toContain('cases pass');
  });

  it('without COUNTERSIGN_POLICY_CASES there is no cases section; linked Slack and Teams users are listed', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const root = await signedIn(t, 'root@example.com');
    const before = (await root.get('/admin')).text;
    expect(before).not.toContain('Policy test cases');
    expect(before).toContain('No Slack user is linked yet');
    await linkSlackUser(t.server.core, 'alice@example.com', 'U0ALICE01');
    await linkTeamsUser(t.server.core, 'bob@example.com', {
      teamsUserId: '29:bob-teams',
      aadObjectId: 'aad-bob-0001',
      serviceUrl: 'https://smba.example.test/',
    });
    const after = (await root.get('/admin')).text;
    expect(after).toContain('alice@example.com — Slack user <code>U0ALICE01</code>');
    expect(after).toContain('bob@example.com — Teams user <code>29:bob-teams</code>');
    expect(after).not.toContain('No Slack user is linked yet');
  });
});

describe('console session cookie', () => {
  it('a tampered cookie is refused and audited as session.refused (reason tampered), naming no one', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const alice = await signedIn(t, 'alice@example.com');
    const [name, value = ''] = alice.cookie.split('=');
    const [token = '', signature = ''] = decodeURIComponent(value).split('.');
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}.${signature}`;
    alice.cookie = `${name}=${encodeURIComponent(flipped)}`;
    const page = await alice.get('/mine');
    expect(page.status).toBe(303);
    expect(page.location).toContain('reason=tampered');
    const refused = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=session.refused',
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      actor: 'system:server',
      subject: null,
      data: { via: 'cookie', reason: 'tampered', path: '/mine', address: '127.0.0.1' },
    });
    expect(String(refused[0]?.data.cookieHashPrefix)).toMatch(/^[0-9a-f]{12}$/);
    // The forged value itself is not written down.
    expect(JSON.stringify(refused)).not.toContain(token);
  });
});
