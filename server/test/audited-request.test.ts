import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionRequest, AuditEvent } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { signedIn } from '../../test/console/console-client';
import { runCli } from '../../test/e2e/processes';
import { appendAudit } from '../src/audit/emit';
import { actions } from '../src/db/schema';
import { auditedRequest, callbackDestination } from '../src/services/actions/audited-request';
import { loadAction } from '../src/services/actions/rows';
import { submitAction } from '../src/services/actions/submit-action';
import { auditEvents, keyIdOf, serverForTest, startTestServer, type TestServer } from './harness';

const DOC = fileURLToPath(new URL('../../docs/audit.md', import.meta.url));

const POLICY = `
version: 1
groups:
  reviewers: [bob@example.com]
  auditors: [audrey@example.com]
access: { audit: [auditors] }
defaults: { timeout: 15m, grantTtl: 5m }
rules:
  - name: reads-are-free
    match: { action: "**.get*" }
    effect: allow
  - name: no-drops
    match: { action: db.drop }
    effect: deny
    reason: Dropping is never automated.
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [reviewers]
    standing: { max: 1h, uses: 5 }
  - name: needs-review
    match: { action: "**" }
    effect: review
    approvers: [reviewers]
    risk: high
`;

const HOOKS = { COUNTERSIGN_WEBHOOK_HOSTS: 'hooks.example.com:8443' };
const CALLBACK = 'https://hooks.example.com:8443/cb/run?token=secret#frag';

/** The field names docs/audit.md's table lists for a request event. */
async function documentedFields(): Promise<string[]> {
  const doc = await readFile(DOC, 'utf8');
  return [...doc.matchAll(/^\| `(\w+)` +\|/gm)].map((m) => m[1] ?? '');
}

async function seed(t: TestServer) {
  const [agent, auditor] = await Promise.all([
    t.agentKey('deploy-bot', 'alice@example.com'),
    t.userKey('audra@example.com', ['audit:read']),
  ]);
  return { agent, auditor };
}

const post = (t: TestServer, key: string, body: Record<string, unknown>) =>
  t.call<ActionRequest>('POST', '/v1/actions', { key, body });

/** Everything the log says, as an auditor exports it: the API's NDJSON and CSV. */
async function exports(t: TestServer, auditor: string): Promise<string> {
  const ndjson = await t.call<string>('GET', '/v1/audit?format=ndjson', { key: auditor });
  const csv = await t.call<string>('GET', '/v1/audit?format=csv', { key: auditor });
  expect([ndjson.status, csv.status]).toEqual([200, 200]);
  return `${ndjson.body}\n${csv.body}`;
}

describe('request events record the request as the API shows it (docs/audit.md)', () => {
  it('an export of a fresh submit has exactly the documented fields, and equals the answer minus its grant', async (test) => {
    const t = await serverForTest(test, { policy: POLICY, env: HOOKS });
    const { agent, auditor } = await seed(t);
    const documented = await documentedFields();
    const held = await post(t, agent, {
      action: 'deploy.run',
      resource: 'svc/api',
      params: { version: '1.2.3' },
      justification: 'release',
      callbackUrl: CALLBACK,
    });
    const allowed = await post(t, agent, { action: 'db.getStats' });
    const blocked = await post(t, agent, { action: 'db.drop', resource: 'customers' });
    expect([held.status, allowed.status, blocked.status]).toEqual([201, 201, 201]);
    expect(allowed.body.grant?.token).toMatch(/\w{20,}/);

    const lines = (await t.call<string>('GET', '/v1/audit?format=ndjson', { key: auditor })).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    const dataOf = (id: string) => lines.find((e) => e.subject === id && e.type.startsWith('action.'))?.data;

    const expected: Array<[ActionRequest, string[]]> = [
      [
        held.body,
        [
          'id',
          'status',
          'action',
          'resource',
          'params',
          'justification',
          'source',
          'context',
          'requester',
          'digest',
          'rule',
          'matched',
          'risk',
          'policyVersion',
          'approvals',
          'approvers',
          'notified',
          'reviews',
          'createdAt',
          'expiresAt',
          'callbackUrl',
        ],
      ],
      [
        allowed.body,
        [
          'id',
          'status',
          'action',
          'source',
          'context',
          'requester',
          'digest',
          'rule',
          'matched',
          'policyVersion',
          'approvals',
          'approvers',
          'reviews',
          'createdAt',
          'decidedAt',
        ],
      ],
      [
        blocked.body,
        [
          'id',
          'status',
          'action',
          'resource',
          'source',
          'context',
          'requester',
          'digest',
          'rule',
          'matched',
          'policyVersion',
          'approvals',
          'approvers',
          'reviews',
          'reason',
          'createdAt',
          'decidedAt',
        ],
      ],
    ];
    for (const [answer, fields] of expected) {
      const data = dataOf(answer.id);
      expect(Object.keys(data ?? {}).sort(), answer.status).toEqual([...fields].sort());
      for (const field of fields) expect(documented, `${field} is documented`).toContain(field);
      // The same view the API answered with, built once: only the grant differs (and the callback).
      const { grant: _grant, ...shown } = answer;
      const callback = 'callbackUrl' in (data ?? {}) ? { callbackUrl: 'https://hooks.example.com:8443' } : {};
      expect(data).toEqual({ ...shown, ...callback });
      expect(Object.values(data ?? {})).not.toContain(null);
    }
    expect(dataOf(held.body.id)).toMatchObject({ createdAt: held.body.createdAt, risk: 'high' });
    expect(held.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(dataOf(blocked.body.id)).toMatchObject({ reason: 'Dropping is never automated.' });
    // No grant token anywhere in what an auditor takes away.
    expect(await exports(t, auditor)).not.toContain(allowed.body.grant?.token ?? 'no token');
  });

  it('a request a standing approval approves at once records it, and still no grant token', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const { agent, auditor } = await seed(t);
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const first = await post(t, agent, { action: 'db.export', resource: 'u/1' });
    const given = await t.call<ActionRequest>('POST', `/v1/actions/${first.body.id}/reviews`, {
      key: bob,
      body: { decision: 'approve', standing: { for: '1h', uses: 5, resource: 'u/*' } },
    });
    expect(given.body.standing?.role).toBe('created');
    const again = await post(t, agent, { action: 'db.export', resource: 'u/2' });
    expect(again.body).toMatchObject({ status: 'approved', standing: { role: 'used' } });
    const token = again.body.grant?.token;
    expect(token).toMatch(/\w{20,}/);

    const [event] = await auditEvents(t, auditor, `type=action.submitted&subject=${again.body.id}`);
    const { grant: _grant, ...shown } = again.body;
    expect(event?.data).toEqual(shown);
    const documented = await documentedFields();
    for (const field of Object.keys(event?.data ?? {})) expect(documented).toContain(field);
    expect(await exports(t, auditor)).not.toContain(token ?? 'no token');
  });

  it('a callbackUrl token and user:pass@ reach no event, no outbox row and no export', async (test) => {
    const t = await serverForTest(test, { policy: POLICY, env: HOOKS });
    const { agent, auditor } = await seed(t);
    expect((await post(t, agent, { action: 'deploy.run', callbackUrl: CALLBACK })).status).toBe(201);
    expect((await post(t, agent, { action: 'db.getStats', callbackUrl: CALLBACK })).status).toBe(201);
    // The API refuses userinfo; a caller of the service itself (a transport, a script) is not stopped
    // there, so the audit must still drop it.
    const actor = {
      kind: 'agent',
      id: 'agent:deploy-bot',
      name: 'deploy-bot',
      owner: 'alice@example.com',
      keyId: keyIdOf(agent),
      scopes: ['actions:write'],
    } as const;
    const direct = await submitAction({
      ctx: { core: t.server.core, actor },
      input: {
        action: 'deploy.run',
        callbackUrl: 'https://deployer:hunter2@hooks.example.com:8443/cb/run?token=secret',
      },
    });
    expect(direct.request.status).toBe('pending');

    const exported = await exports(t, auditor);
    const db = t.rawDb();
    const stored = (await db.execute('SELECT data FROM audit_events')).rows
      .map((r) => String(r.data))
      .join('\n');
    const outbox = (await db.execute('SELECT payload FROM outbox')).rows
      .map((r) => String(r.payload))
      .join('\n');
    for (const [where, text] of Object.entries({ exported, stored, outbox })) {
      for (const secret of ['secret', 'token=', 'hunter2', 'deployer:', '#frag'])
        expect(text, `${secret} in ${where}`).not.toContain(secret);
    }
    const submitted = await auditEvents(t, auditor, 'type=action.submitted,action.allowed');
    expect(submitted.map((e) => e.data.callbackUrl)).toEqual([
      'https://hooks.example.com:8443',
      'https://hooks.example.com:8443',
      'https://hooks.example.com:8443',
    ]);
  });

  it('old row-shaped events still render in the console timeline, and audit verify passes on both shapes', async (test) => {
    const t = await startTestServer({ policy: POLICY });
    let stopped = false;
    test.onTestFinished(async () => {
      if (!stopped) await t.stop();
    });
    const { agent, auditor } = await seed(t);
    const fresh = await post(t, agent, { action: 'db.drop', resource: 'orders' });
    expect(fresh.status).toBe(201);
    // As a server before this change wrote it: a request row and its event holding that row.
    const core = t.server.core;
    const template = (await loadAction(core.database.db, fresh.body.id))?.row;
    if (!template) throw new Error('no row');
    const old = { ...template, id: 'act_01OLDSHAPE0000000000000000', resource: 'legacy', callbackUrl: null };
    await core.writes.run(async (tx) => {
      await tx.insert(actions).values(old);
      const { idempotencyKey: _key, requestHash: _hash, keyId: _keyId, ...recorded } = old;
      await appendAudit(tx, old.createdAt, [
        { type: 'action.blocked', actor: old.requesterId, subject: old.id, data: recorded },
      ]);
    });
    const [oldEvent] = await auditEvents(t, auditor, `type=action.blocked&subject=${old.id}`);
    expect(oldEvent?.data).toMatchObject({ ruleName: 'no-drops', amendAllowed: 1, breakGlassAt: null });

    const audrey = await signedIn(t, 'audrey@example.com');
    for (const id of [old.id, fresh.body.id]) {
      const page = await audrey.get(`/requests/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('blocked by rule no-drops (Dropping is never automated.)');
    }
    const verified = await t.call<{ ok: boolean }>('GET', '/v1/audit/verify', { key: auditor });
    expect(verified.body).toMatchObject({ ok: true });

    await t.stop({ keepDir: true });
    stopped = true;
    test.onTestFinished(() => rm(t.dir, { recursive: true, force: true }));
    const env = { COUNTERSIGN_DB_URL: `file:${join(t.dir, 'countersign.db')}` };
    const cli = await runCli(['audit', 'verify'], env);
    expect(cli.code, cli.stderr).toBe(0);
    const exported = await runCli(['audit', 'export', '--format', 'ndjson'], env);
    expect(exported.code, exported.stderr).toBe(0);
    const shapes = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent)
      .filter((e) => e.type === 'action.blocked')
      .map((e) => ('ruleName' in e.data ? 'row' : 'view'));
    expect(shapes.sort()).toEqual(['row', 'view']);
  });
});

describe('auditedRequest', () => {
  it('keeps scheme, host and port of a callback; never userinfo, path, query or fragment', () => {
    expect(callbackDestination('https://u:p@h.example.com:8443/a/b?token=x#f')).toBe(
      'https://h.example.com:8443',
    );
    // A Slack incoming webhook's secret is its path.
    expect(callbackDestination('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe(
      'https://hooks.slack.com',
    );
    expect(callbackDestination('http://h.example.com/')).toBe('http://h.example.com');
    expect(callbackDestination('not a url')).toBeUndefined();
  });

  it('drops a grant even from the requester’s own view', () => {
    const view = { id: 'act_1', grant: { token: 'tok', expiresAt: 'x' } } as unknown as ActionRequest;
    expect(auditedRequest(view, 'not a url')).toEqual({ id: 'act_1' });
  });
});
