import type { ActionList, ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { auditEvents, expectError, reviewPolicy, serverForTest, type TestServer } from './harness';

const send = (t: TestServer, key: string, idempotencyKey: string, body: Record<string, unknown>) =>
  t.call<ActionRequest>('POST', '/v1/actions', { key, body, headers: { 'idempotency-key': idempotencyKey } });

async function seed(test: TestContext) {
  const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
  const [agent, auditor] = await Promise.all([
    t.agentKey('deploy-bot', 'alice@example.com'),
    t.userKey('audra@example.com', ['audit:read']),
  ]);
  const stored = async (key: string) =>
    (await t.call<ActionList>('GET', '/v1/actions', { key })).body.items.map((r) => r.id);
  return { t, agent, auditor, stored };
}

const BODY = { action: 'deploy.run', environment: 'prod', params: { version: '1.2.3' } };

describe('Idempotency-Key on POST /v1/actions', () => {
  it('answers a repeat of the same key and body with 200 and the same request (the first was 201)', async (test) => {
    const { t, agent, auditor, stored } = await seed(test);
    const first = await send(t, agent, 'deploy-42', BODY);
    expect(first.status).toBe(201);
    const again = await send(t, agent, 'deploy-42', { ...BODY, params: { version: '1.2.3' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.status).toBe(first.body.status);
    expect(await stored(agent)).toEqual([first.body.id]);
    expect(await auditEvents(t, auditor, 'type=action.submitted')).toHaveLength(1);
  });

  it('treats the same body with its keys in another order as the same body', async (test) => {
    const { t, agent } = await seed(test);
    const first = await send(t, agent, 'k', { action: 'deploy.run', environment: 'prod' });
    const again = await send(t, agent, 'k', { environment: 'prod', action: 'deploy.run' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('refuses the same key with another body: 409 idempotency_mismatch, creating nothing', async (test) => {
    const { t, agent, stored } = await seed(test);
    const first = await send(t, agent, 'deploy-42', BODY);
    expect(first.status).toBe(201);
    for (const other of [
      { ...BODY, environment: 'staging' },
      { ...BODY, justification: 'urgent' },
      { action: 'deploy.run' },
    ]) {
      expectError(
        await send(t, agent, 'deploy-42', other),
        409,
        'idempotency_mismatch',
        JSON.stringify(other),
      );
    }
    expect(await stored(agent)).toEqual([first.body.id]);
  });

  it('keeps keys apart per requester: two agents using one key make two requests', async (test) => {
    const { t, agent } = await seed(test);
    const other = await t.agentKey('other-bot', 'erin@example.com');
    const mine = await send(t, agent, 'shared-key', BODY);
    const theirs = await send(t, other, 'shared-key', BODY);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.requester.id).toBe('agent:other-bot');
    // A replay finds the replaying agent's own request, never the other's.
    expect((await send(t, other, 'shared-key', BODY)).body.id).toBe(theirs.body.id);
  });

  it('makes one request of 10 concurrent submissions with one key', async (test) => {
    const { t, agent, auditor, stored } = await seed(test);
    const replies = await Promise.all(Array.from({ length: 10 }, () => send(t, agent, 'burst', BODY)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(replies.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(await stored(agent)).toEqual([...ids]);
    expect(await auditEvents(t, auditor, 'type=action.submitted')).toHaveLength(1);
  });

  it('refuses an Idempotency-Key over 255 characters: 400 naming the header', async (test) => {
    const { t, agent, stored } = await seed(test);
    const error = expectError(await send(t, agent, 'k'.repeat(256), BODY), 400, 'invalid_request');
    expect(error.details?.map((d) => d.path)).toEqual(['idempotency-key']);
    expect(await stored(agent)).toEqual([]);
  });

  it('makes a new request each time without the header', async (test) => {
    const { t, agent, stored } = await seed(test);
    const a = await t.call<ActionRequest>('POST', '/v1/actions', { key: agent, body: BODY });
    const b = await t.call<ActionRequest>('POST', '/v1/actions', { key: agent, body: BODY });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await stored(agent)).sort()).toEqual([a.body.id, b.body.id].sort());
  });
});
