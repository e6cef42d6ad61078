import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRequest } from '@countersign/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSecret } from '../src/secret';
import { findAction } from '../src/services/actions/find-action';
import { submitAction } from '../src/services/actions/submit-action';
import { authenticate } from '../src/services/keys/authenticate';
import { review, startTestServer, submit, type TestServer } from './harness';

// Regressions for findings of the pre-release security review.

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ env: { COUNTERSIGN_RATE_LIMIT: '0' } });
});
afterEach(async () => {
  await t.stop();
});

type Events = { events: Array<{ type: string; actor: string; subject: string; data: { code?: string } }> };

describe('agents stand only for themselves', () => {
  it('cannot see or cancel the requests of their owner or of sibling agents', async () => {
    const botA = await t.agentKey('bot-a', 'carol@example.com');
    const botB = await t.agentKey('bot-b', 'carol@example.com');
    const carol = await t.userKey('carol@example.com', ['actions:write']);
    const siblings = await submit(t, botB, { action: 'terraform.apply', environment: 'prod' });
    const owners = await submit(t, carol, { action: 'terraform.apply', environment: 'staging' });
    for (const req of [siblings, owners]) {
      expect((await t.call('GET', `/v1/actions/${req.id}`, { key: botA })).status).toBe(404);
      expect((await t.call('POST', `/v1/actions/${req.id}/cancel`, { key: botA })).status).toBe(404);
    }
    // The owner, a person, still sees and may cancel her agents' requests.
    expect(
      (await t.call<ActionRequest>('POST', `/v1/actions/${siblings.id}/cancel`, { key: carol })).body.status,
    ).toBe('cancelled');
  });
});

describe('refused reviews are audited whatever the reason', () => {
  it('audits an agent trying its own request as self_approval, and a key without reviews:write as forbidden', async () => {
    const agent = await t.agentKey('billing-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['actions:write']);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'terraform.apply', environment: 'prod' });
    const own = await review(t, agent, req.id, 'approve');
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ error: { code: 'self_approval' } });
    const noScope = await review(t, bob, req.id, 'approve');
    expect(noScope.status).toBe(403);
    expect(noScope.body).toMatchObject({ error: { code: 'forbidden' } });
    const events = await t.call<Events>('GET', `/v1/audit?type=review.refused&subject=${req.id}`, {
      key: auditor,
    });
    expect(events.body.events.map((e) => [e.actor, e.data.code])).toEqual([
      ['agent:billing-bot', 'self_approval'],
      ['user:bob@example.com', 'forbidden'],
    ]);
    expect((await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent })).body.status).toBe(
      'pending',
    );
  });
});

describe('an id prefix that matches too much', () => {
  it('is refused as ambiguous rather than resolved to the one visible match among the first few', async () => {
    const core = t.server.core;
    const agentToken = await t.agentKey('busy-bot', 'alice@example.com');
    const agent = await authenticate(core, agentToken);
    if (!agent) throw new Error('no agent');
    const submitOne = async (action: string) =>
      (await submitAction({ ctx: { core, actor: agent }, input: { action, resource: 'customers/x' } }))
        .request.id;
    // Carol may see exports (data-owners), not terraform applies (sre): one visible request, then
    // more hidden ones than a prefix lookup reads, then the visible request she means.
    const first = await submitOne('db.export');
    for (let i = 0; i < 500; i++) await submitOne('terraform.apply');
    const meant = await submitOne('db.export');
    const shared = first.slice(0, 8); // act_ + the first 4 characters of the timestamp: both match
    const person = {
      kind: 'person',
      via: 'slack',
      id: 'user:carol@example.com',
      email: 'carol@example.com',
      slackUserId: 'U1',
    } as const;
    await expect(findAction({ ctx: { core, actor: person }, idOrPrefix: shared })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(findAction({ ctx: { core, actor: person }, idOrPrefix: meant })).resolves.toMatchObject({
      id: meant,
    });
  });
});

describe('bodies that are not JSON', () => {
  const send = (path: string, headers: Record<string, string>, body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const url = new URL(path, t.url);
      const req = request(url, { method: 'POST', headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body); // no content-length: the body goes chunked
      req.end();
    });

  it('answers a chunked text/plain submission and a text/plain pairing with 400, never 500', async () => {
    const agent = await t.agentKey('any-bot', 'alice@example.com');
    const chunked = await send(
      '/v1/actions',
      { authorization: `Bearer ${agent}`, 'content-type': 'text/plain' },
      '{"action":"a.b"}',
    );
    expect(chunked.status).toBe(400);
    expect(JSON.parse(chunked.text)).toMatchObject({ error: { code: 'invalid_request' } });
    const pairing = await send('/v1/extension/pair', { 'content-type': 'text/plain' }, 'code=ABCDE-FGHJK');
    expect(pairing.status).toBe(400);
    const untyped = await send('/v1/actions', { authorization: `Bearer ${agent}` }, '{"action":"a.b"}');
    expect(untyped.status).toBe(400);
  });
});

describe('the server secret file', () => {
  it('refuses an empty or damaged file instead of deriving tokens from a blank key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-secret-'));
    try {
      const url = `file:${join(dir, 'db.sqlite')}`;
      await writeFile(join(dir, 'countersign.secret'), 'not hex at all\n');
      await expect(resolveSecret(undefined, url)).rejects.toThrow(
        /COUNTERSIGN_SECRET: .* is not 64 hex digits/,
      );
      await writeFile(join(dir, 'countersign.secret'), '');
      await expect(resolveSecret(undefined, url)).rejects.toThrow(/not 64 hex digits/);
      await rm(join(dir, 'countersign.secret'));
      expect((await resolveSecret(undefined, url)).length).toBe(32);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
