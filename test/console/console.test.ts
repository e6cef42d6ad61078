import { describe, expect, it } from 'vitest';
import { auditEvents, serverForTest, submit } from '../../server/test/harness';
import { ConsoleClient, linkFor, signedIn } from './console-client';

const policy = (extra = '') =>
  [
    'version: 1',
    'groups:',
    '  reviewers: [alice@example.com, bob@example.com]',
    '  platform-admins: [root@example.com]',
    '  auditors: [audrey@example.com]',
    'access: { admin: [platform-admins], audit: [auditors] }',
    'defaults: { timeout: 15m, grantTtl: 5m }',
    'rules:',
    '  - name: needs-review',
    '    match: { action: "**" }',
    '    effect: review',
    '    approvers: [reviewers]',
    extra,
  ].join('\n');

describe('console: sign-in by one-time link', () => {
  it('signs in once; the same link again is refused and audited', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const token = await linkFor(t, 'Alice@Example.com');
    const first = new ConsoleClient(t);
    expect((await first.post('/auth/link', { token })).status).toBe(303);
    expect(first.cookie).toMatch(/^countersign=/);
    const again = new ConsoleClient(t);
    const refused = await again.post('/auth/link', { token });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('each link works once');
    expect(again.cookie).toBe('');
    const audit = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=session.refused',
    );
    expect(audit.map((e) => [e.subject, e.data.reason])).toEqual([['user:alice@example.com', 'used']]);
  });

  it('sends a person without a session to sign in, keeping where they were going', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const anon = new ConsoleClient(t);
    const page = await anon.get('/requests/act_X');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/auth/login?next=%2Frequests%2Fact_X');
    const signIn = await anon.get(page.location ?? '');
    expect(signIn.text).toContain('countersign login --user');
  });
});

describe('console: approve and deny through the page', () => {
  it('an approver sees the request in their queue and approves it', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const agent = await t.agentKey('deployer', 'carol@example.com');
    const req = await submit(t, agent, {
      action: 'db.migrate',
      resource: 'orders',
      params: { password: 'hunter2' },
    });
    const alice = await signedIn(t, 'alice@example.com');
    const queue = await alice.get('/');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(`/requests/${req.id}`);
    const page = await alice.get(`/requests/${req.id}`);
    expect(page.text).toContain('0 of 1');
    expect(page.text).not.toContain('hunter2');
    const approved = await alice.post(`/requests/${req.id}/review`, { decision: 'approve' });
    expect(approved.status).toBe(303);
    const after = await t.call<{ status: string; reviews: { via: string }[] }>(
      'GET',
      `/v1/actions/${req.id}`,
      { key: agent },
    );
    expect(after.body.status).toBe('approved');
    expect(after.body.reviews[0]?.via).toBe('console');
  });

  it("shows the core's refusal in words when the requester's owner tries to approve", async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const agent = await t.agentKey('deployer', 'alice@example.com');
    const req = await submit(t, agent, { action: 'db.migrate' });
    const alice = await signedIn(t, 'alice@example.com');
    const refused = await alice.post(`/requests/${req.id}/review`, { decision: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(
      'No one may review their own request, nor a request of an agent they own.',
    );
  });

  it('a deny needs a reason; with one, the request is denied', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const req = await submit(t, await t.agentKey('deployer', 'carol@example.com'), { action: 'db.migrate' });
    const bob = await signedIn(t, 'bob@example.com');
    const bare = await bob.post(`/requests/${req.id}/review`, { decision: 'deny', comment: '  ' });
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('a deny needs a comment saying why');
    const denied = await bob.post(`/requests/${req.id}/review`, {
      decision: 'deny',
      comment: 'not during the freeze',
    });
    expect(denied.status).toBe(303);
    const page = await bob.get(denied.location ?? '');
    expect(page.text).toContain('not during the freeze');
    expect(page.text).toContain('Denied');
  });
});

describe('console: who may approve', () => {
  it("lists eligible approvers without the requester's side, who can never approve", async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    // alice is in `reviewers` but owns the requesting agent: the core refuses her review.
    const req = await submit(t, await t.agentKey('deployer', 'alice@example.com'), { action: 'db.migrate' });
    const bob = await signedIn(t, 'bob@example.com');
    const page = await bob.get(`/requests/${req.id}`);
    expect(page.text).toContain('Eligible: bob@example.com</p>');
    expect(page.text).not.toMatch(/Eligible:[^<]*alice@example\.com/);
  });
});

describe('console: sessions and forms are hard to abuse', () => {
  it('refuses a form posted from another origin, and one without the session token', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const req = await submit(t, await t.agentKey('deployer', 'carol@example.com'), { action: 'db.migrate' });
    const alice = await signedIn(t, 'alice@example.com');
    const cross = await alice.post(
      `/requests/${req.id}/review`,
      { decision: 'approve' },
      { origin: 'https://evil.example' },
    );
    const noToken = await alice.post(`/requests/${req.id}/review`, { decision: 'approve', _csrf: 'forged' });
    // Either check refuses with the same page a person can read, not hono's bare JSON for the first.
    for (const refused of [cross, noToken]) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      expect(refused.text).toContain('<h1>Refused</h1>');
      expect(refused.text).toContain('did not come from this site; nothing was changed');
    }
    const still = await t.call<{ status: string }>('GET', `/v1/actions/${req.id}`, {
      key: await t.userKey('aud@example.com', ['audit:read']),
    });
    expect(still.body.status).toBe('pending');
  });

  it('refuses a tampered cookie and sends the person to sign in', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const alice = await signedIn(t, 'alice@example.com');
    const [name, value = ''] = alice.cookie.split('=');
    const decoded = decodeURIComponent(value);
    const [token = '', signature = ''] = decoded.split('.');
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}.${signature}`;
    alice.cookie = `${name}=${encodeURIComponent(flipped)}`;
    const page = await alice.get('/');
    expect(page.status).toBe(303);
    expect(page.location).toContain('reason=tampered');
  });

  it('an idle session is ended, audited, and sent back to sign in', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const alice = await signedIn(t, 'alice@example.com');
    await t.rawDb().execute('UPDATE console_sessions SET last_seen_at = last_seen_at - 7200000');
    const page = await alice.get('/');
    expect(page.status).toBe(303);
    expect(page.location).toContain('reason=idle');
    const ended = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=session.ended',
    );
    expect(ended.map((e) => e.data.reason)).toEqual(['idle']);
  });

  it('signs out, and signing out everywhere ends the other browser too', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const laptop = await signedIn(t, 'alice@example.com');
    const phone = await signedIn(t, 'alice@example.com');
    const old = laptop.cookie;
    expect((await laptop.post('/auth/logout', {})).status).toBe(303);
    laptop.cookie = old;
    expect((await laptop.get('/')).location).toContain('reason=ended');
    const other = await signedIn(t, 'alice@example.com');
    expect((await other.post('/auth/logout-everywhere', {})).status).toBe(303);
    expect((await phone.get('/')).location).toContain('reason=ended');
  });
});

describe('console: roles from the policy access section', () => {
  it('only auditors see the audit page; its export is the filtered view', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const req = await submit(t, await t.agentKey('deployer', 'carol@example.com'), { action: 'db.migrate' });
    await submit(t, await t.agentKey('other', 'carol@example.com'), { action: 'db.vacuum' });
    const alice = await signedIn(t, 'alice@example.com');
    expect((await alice.get('/audit')).status).toBe(403);
    expect((await alice.get('/')).text).not.toContain('href="/audit"');
    const audrey = await signedIn(t, 'audrey@example.com');
    const page = await audrey.get(`/audit?subject=${req.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('events verified');
    // The genesis checkpoint is event #1 and signs the empty head, seq 0: both named, neither as the other.
    expect(page.text).toContain('newest signed checkpoint: event #1, signing the head at seq 0');
    const csv = await audrey.get(`/audit/export?format=csv&subject=${req.id}`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = csv.text.trim().split('\n');
    expect(rows.length).toBe(2);
    expect(rows[1]).toContain('action.submitted');
    const ndjson = await audrey.get(`/audit/export?format=ndjson&action=db.vacuum`);
    expect(
      ndjson.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).data.action),
    ).toEqual(['db.vacuum']);
  });

  it('an admin makes a key (shown once), it works, and revoking it stops it', async (test) => {
    const t = await serverForTest(test, { policy: policy() });
    const bob = await signedIn(t, 'bob@example.com');
    expect((await bob.get('/admin')).status).toBe(403);
    const root = await signedIn(t, 'root@example.com');
    const made = await root.post('/admin/keys', {
      kind: 'user',
      email: 'dana@example.com',
      scopes: 'audit:read',
    });
    expect(made.status).toBe(201);
    const token = /<code id="new-key">([^<]+)<\/code>/.exec(made.text)?.[1] ?? '';
    expect(token).toMatch(/^csk_/);
    expect((await t.call('GET', '/v1/audit', { key: token })).status).toBe(200);
    const listing = await root.get('/admin');
    expect(listing.text).not.toContain(token);
    const id = /csk_([0-9A-Z]{26})_/.exec(token)?.[1];
    const revoked = await root.post(`/admin/keys/key_${id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await t.call('GET', '/v1/audit', { key: token })).status).toBe(401);
  });
});
