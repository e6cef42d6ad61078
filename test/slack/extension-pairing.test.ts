import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { postToSlackEvents, slashCommand, useSlackTest } from './slack-harness';

const s = useSlackTest();

async function codeFor(who: 'carol' | 'dan'): Promise<string> {
  const before = s.slack.callsTo('response_url').length;
  expect((await postToSlackEvents(s.t, slashCommand(s.slack, who, '/approvals', 'connect'))).status).toBe(
    200,
  );
  const reply = await s.slack.waitFor('response_url', () => s.slack.callsTo('response_url').length > before);
  const code = /pairing code is `([0-9A-Z]{5}-[0-9A-Z]{5})`/.exec(JSON.stringify(reply.args))?.[1];
  if (!code) throw new Error(`no code in ${JSON.stringify(reply.args)}`);
  return code;
}

const pair = (code: string) =>
  s.t.call<{ key: string; user: { id: string; email: string } }>('POST', '/v1/extension/pair', {
    body: { code },
  });

describe('pairing the browser extension through Slack', () => {
  it('exchanges a one-time code from /approvals connect for a personal actions:write key, once', async () => {
    const code = await codeFor('carol');
    const paired = await pair(code);
    expect(paired.status).toBe(200);
    expect(paired.body.user).toEqual({ id: 'user:carol@example.com', email: 'carol@example.com' });

    const submitted = await s.t.call<ActionRequest>('POST', '/v1/actions', {
      key: paired.body.key,
      body: { action: 'aws.s3.getObject', source: 'extension' },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body.requester.id).toBe('user:carol@example.com');
    // A personal extension key submits; it does not review.
    expect(
      (
        await s.t.call('POST', `/v1/actions/${submitted.body.id}/reviews`, {
          key: paired.body.key,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(403);

    const again = await pair(code);
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('accepts the code typed loosely (lower case, no dash) and refuses unknown and expired codes', async () => {
    const code = await codeFor('dan');
    expect((await pair(code.toLowerCase().replace('-', ''))).status).toBe(200);
    expect((await pair('ZZZZZ-ZZZZZ')).status).toBe(403);

    const stale = await codeFor('carol');
    const db = s.t.rawDb();
    await db.execute('UPDATE pairing_codes SET expires_at = 0 WHERE used_at IS NULL');
    const expired = await pair(stale);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ error: { code: 'expired' } });
  });

  it('rate-limits guessing from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await pair(`AAAAA-AAAA${i}`)).status);
    expect(statuses).toContain(429);
  });

  it('audits the code’s issue and the key it became', async () => {
    const code = await codeFor('carol');
    await pair(code);
    const auditor = await s.t.userKey('erin@example.com', ['audit:read']);
    const events = await s.t.call<{
      events: Array<{ type: string; actor: string; data: Record<string, unknown> }>;
    }>('GET', '/v1/audit?type=pairing.issued,key.created', { key: auditor });
    const types = events.body.events.map((e) => `${e.type} ${e.actor}`);
    expect(types).toContain('pairing.issued user:carol@example.com');
    expect(
      events.body.events.some(
        (e) => e.type === 'key.created' && e.data.principal === 'user:carol@example.com',
      ),
    ).toBe(true);
  });
});

describe('GET /v1/extension/rules', () => {
  it('answers any key with a version and the console rules (the policy’s own first, then the default pack)', async () => {
    const agent = await s.t.agentKey('some-bot', 'dan@example.com');
    const rules = await s.t.call<{ version: string; consoles: Array<{ name: string }> }>(
      'GET',
      '/v1/extension/rules',
      { key: agent },
    );
    expect(rules.status).toBe(200);
    expect(rules.body.version).toMatch(/^sha256:[0-9a-f]{16}$/);
    // The test policy has no console rules of its own: all of these come from the default pack.
    const names = rules.body.consoles.map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names.some((n) => n.startsWith('aws-'))).toBe(true);
    expect(names.some((n) => n.startsWith('gcp-'))).toBe(true);
    expect(names.some((n) => n.startsWith('azure-'))).toBe(true);
    expect((await s.t.call('GET', '/v1/extension/rules')).status).toBe(401);
  });
});
