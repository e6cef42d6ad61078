import { describe, expect, it, type TestContext } from 'vitest';
import { auditEvents, expectError, reviewPolicy, serverForTest, submit } from './harness';

type Redeemed = { ok: true; actionId: string; grantId: string };

/** A server where `*.get*` is allowed at once, so each submit hands back a grant to redeem. */
async function seed(test: TestContext, grantTtl: string) {
  const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com'], { grantTtl }) });
  const agent = await t.agentKey('reader-bot', 'alice@example.com');
  const auditor = await t.userKey('audra@example.com', ['audit:read']);
  const req = await submit(t, agent, { action: 'inventory.getAll', resource: 'warehouse/7' });
  const token = req.grant?.token;
  if (!token) throw new Error('an allowed request carries a grant');
  const redeem = (key: string, idempotencyKey?: string) =>
    t.call<Redeemed>('POST', '/v1/grants/redeem', {
      key,
      body: { token, digest: req.digest },
      headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    });
  return { t, agent, auditor, req, redeem };
}

describe('replaying a spent grant with its Idempotency-Key', () => {
  it('answers the original 200 within the TTL, audits each replay, then 410 grant_expired', async (test) => {
    const { t, agent, auditor, req, redeem } = await seed(test, '2s');
    const first = await redeem(agent, 'retry-me');
    expect(first.status).toBe(200);
    const replays = [await redeem(agent, 'retry-me'), await redeem(agent, 'retry-me')];
    for (const replay of replays) expect(replay.body).toEqual(first.body);

    const replayed = await auditEvents(t, auditor, 'type=grant.redeem_replayed');
    expect(replayed).toHaveLength(2);
    expect(replayed[0]).toMatchObject({ actor: 'agent:reader-bot', subject: req.id });
    expect(replayed[0]?.data).toMatchObject({ grantId: first.body.grantId, digest: req.digest });
    expect(await auditEvents(t, auditor, 'type=grant.redeemed')).toHaveLength(1);

    const expiresAt = Date.parse(req.grant?.expiresAt ?? '');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 100 - Date.now())));
    expectError(await redeem(agent, 'retry-me'), 410, 'grant_expired', 'a replay after the TTL');
    expect(await auditEvents(t, auditor, 'type=grant.redeem_replayed')).toHaveLength(2);
    const refused = await auditEvents(t, auditor, 'type=grant.refused');
    expect(refused.map((e) => e.data.code)).toEqual(['grant_expired']);
  });

  it('answers the same Idempotency-Key from another key of the same agent with 409 grant_used', async (test) => {
    const { t, agent, auditor, redeem } = await seed(test, '5m');
    expect((await redeem(agent, 'retry-me')).status).toBe(200);
    // A second key for the same agent: the requester, but not the call that spent the grant.
    const sibling = await t.agentKey('reader-bot', 'alice@example.com');
    expectError(await redeem(sibling, 'retry-me'), 409, 'grant_used', 'another key of the requester');
    expectError(await redeem(agent, 'other-key'), 409, 'grant_used', 'another Idempotency-Key');
    expectError(await redeem(agent), 409, 'grant_used', 'no Idempotency-Key');
    expect(await auditEvents(t, auditor, 'type=grant.redeem_replayed')).toHaveLength(0);
    expect((await redeem(agent, 'retry-me')).status).toBe(200);
  });

  it('never replays a grant spent without an Idempotency-Key', async (test) => {
    const { agent, redeem } = await seed(test, '5m');
    expect((await redeem(agent)).status).toBe(200);
    expectError(await redeem(agent), 409, 'grant_used');
    expectError(await redeem(agent, 'late-key'), 409, 'grant_used');
  });
});
