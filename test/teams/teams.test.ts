import { describe, expect, it } from 'vitest';
import { activity, CHANNEL, click, submitAndWaitForCard, until, useTeamsTest } from './teams-harness';

const s = useTeamsTest();
const cardOf = (activity: Record<string, unknown>) =>
  (activity.attachments as { content: { actions?: unknown[]; body: unknown[] } }[])[0]?.content;

describe('Teams: a held request as an Adaptive Card, decided by a click', () => {
  it('posts the card to the rule channel and an Approve click decides it, replacing the card for everyone', async () => {
    const { id, cardId } = await submitAndWaitForCard(s);
    const posted = s.ms.posts.find((p) => p.id === cardId);
    const card = posted && cardOf(posted.activity);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(JSON.stringify(card)).toContain('Action.Execute');
    expect(JSON.stringify(card)).toContain('0 of 1');

    const answer = await click(s, cardId, 'alice', 'approve', id);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ type: 'application/vnd.microsoft.card.adaptive' });
    const got = await s.t.call<{ status: string; reviews: { via: string }[] }>('GET', `/v1/actions/${id}`, {
      key: await s.t.agentKey('deployer', 'olga@example.com'),
    });
    expect(got.body.status).toBe('approved');
    expect(got.body.reviews[0]?.via).toBe('teams');
    // Replaced for everyone (PUT), with no buttons left; the outcome threaded under the card.
    const update = await until(() =>
      s.ms.updates.findLast((u) => u.activityId === cardId && !cardOf(u.activity)?.actions),
    );
    expect(JSON.stringify(update.activity)).toContain('Approved by alice@example.com');
    await until(() =>
      s.ms.posts.find((p) => p.replyTo === cardId && JSON.stringify(p.activity).includes('Approved')),
    );
  });

  it('a deny needs its reason and records it', async () => {
    const { id, cardId } = await submitAndWaitForCard(s);
    const bare = await click(s, cardId, 'bob', 'deny', id);
    expect(JSON.stringify(bare.body)).toContain('A deny needs a reason');
    const denied = await click(s, cardId, 'bob', 'deny', id, 'not during the freeze');
    expect(denied.status).toBe(200);
    const update = await until(() =>
      s.ms.updates.findLast((u) => u.activityId === cardId && !cardOf(u.activity)?.actions),
    );
    expect(JSON.stringify(update.activity)).toContain('not during the freeze');
  });

  it('refuses a non-member in words, and decides nothing', async () => {
    const { id, cardId } = await submitAndWaitForCard(s);
    const answer = await click(s, cardId, 'mallory', 'approve', id);
    expect(JSON.stringify(answer.body)).toContain('Not approved');
    const got = await s.t.call<{ status: string }>('GET', `/v1/actions/${id}`, {
      key: await s.t.agentKey('deployer', 'olga@example.com'),
    });
    expect(got.body.status).toBe('pending');
  });

  it('quorum of two: one approval keeps it pending ("1 of 2"), a double click is refused, the second decides', async () => {
    const { id, cardId } = await submitAndWaitForCard(s, 'db.drop');
    await click(s, cardId, 'alice', 'approve', id);
    const again = await click(s, cardId, 'alice', 'approve', id);
    expect(JSON.stringify(again.body)).toContain('Not approved');
    await until(() =>
      s.ms.updates.find((u) => u.activityId === cardId && JSON.stringify(u.activity).includes('1 of 2')),
    );
    await click(s, cardId, 'bob', 'approve', id);
    await until(() => s.ms.updates.findLast((u) => u.activityId === cardId && !cardOf(u.activity)?.actions));
  });

  it('the card survives a restart between post and click', async () => {
    const { id, cardId } = await submitAndWaitForCard(s);
    await s.restart();
    expect((await click(s, cardId, 'alice', 'approve', id)).status).toBe(200);
    await until(() => s.ms.updates.findLast((u) => u.activityId === cardId && !cardOf(u.activity)?.actions));
  });

  it('Graph down: refused, not guessed', async () => {
    const { id, cardId } = await submitAndWaitForCard(s);
    s.ms.graphDown = true;
    const answer = await click(s, cardId, 'alice', 'approve', id);
    expect(JSON.stringify(answer.body)).toContain('Microsoft Graph did not answer');
    const got = await s.t.call<{ status: string }>('GET', `/v1/actions/${id}`, {
      key: await s.t.agentKey('deployer', 'olga@example.com'),
    });
    expect(got.body.status).toBe('pending');
  });
});

describe('Teams: the Bot Framework token is checked before anything happens', () => {
  for (const [name, token] of [
    ['a forged signature', () => s.ms.token({ forged: true })],
    ['an expired token', () => s.ms.token({ expiresIn: -600 })],
    ['another issuer', () => s.ms.token({ issuer: `${s.ms.url}/00000000-0000-4000-8000-000000000000/v2.0` })],
    ['another audience', () => s.ms.token({ audience: '11111111-1111-4111-8111-111111111111' })],
  ] as const) {
    it(`${name} → 401, no effect`, async () => {
      const { id, cardId } = await submitAndWaitForCard(s);
      const answer = await click(s, cardId, 'alice', 'approve', id, undefined, token());
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: { code: 'unauthenticated' } });
      const got = await s.t.call<{ status: string }>('GET', `/v1/actions/${id}`, {
        key: await s.t.agentKey('deployer', 'olga@example.com'),
      });
      expect(got.body.status).toBe('pending');
    });
  }

  it('no token → 401', async () => {
    const response = await fetch(`${s.t.url}/teams/messages`, {
      method: 'POST',
      body: '{"type":"message"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(401);
    void activity;
    void CHANNEL;
  });
});
