import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { CHANNEL, PEOPLE, press, say, until, useTeamsTest, type Who } from './teams-harness';

// A break-glass reaches each approver Teams knows 1:1, as Slack DMs them: a card with Sign off / Flag…
// that closes the follow-up from there; never the requester's side; once each, whatever is retried.
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com, olga@example.com]
rules:
  - name: prod-fix
    match: { action: prod.* }
    effect: review
    approvers: [sre]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
    teams: "Platform/Approvals"
default: { effect: review, approvers: [sre] }
`;
const REASON = 'Payments are down and no approver answers the page at 03:00.';

const s = useTeamsTest({ policy: POLICY });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The 1:1 chats the bot opened with `who`, and what it posted there that mentions `text`. */
const dmsTo = (who: Who, text: string) =>
  s.ms.posts.filter(
    (p) =>
      s.ms.conversations.get(p.conversationId)?.members.includes(PEOPLE[who].teamsId) &&
      JSON.stringify(p.activity).includes(text),
  );

const titlesOf = (activity: unknown): string[] =>
  [...JSON.stringify(activity).matchAll(/"title":"([^"]+)"/g)].map((m) => m[1] ?? '');

/** olga's agent asks under the break-glass rule; alice, bob and olga have each talked to the bot. */
async function heldWithApproversKnown() {
  for (const who of ['alice', 'bob', 'olga'] as const) await say(s, who, 'approvals');
  const key = await s.t.agentKey('fixer', 'olga@example.com');
  const { body } = await s.t.call<{ id: string }>('POST', '/v1/actions', {
    key,
    body: { action: 'prod.restart', resource: 'payments' },
  });
  const card = await until(() =>
    s.ms.posts.find(
      (p) => p.conversationId === CHANNEL && !p.replyTo && JSON.stringify(p.activity).includes(body.id),
    ),
  );
  return { id: body.id, cardId: card.id, key };
}

describe('Teams: a break-glass told to each approver 1:1', () => {
  it('each approver Teams knows gets the card once, the requester’s side none; Sign off from it closes the follow-up and clears every copy', async () => {
    const { id, key } = await heldWithApproversKnown();
    const broken = await s.t.call('POST', `/v1/actions/${id}/break-glass`, { key, body: { reason: REASON } });
    expect(broken.status).toBe(200);

    const [alice] = await until(() => {
      const found = dmsTo('alice', id);
      return found.length > 0 ? found : undefined;
    });
    await until(() => dmsTo('bob', id)[0]);
    if (!alice) throw new Error('no card for alice');
    expect(JSON.stringify(alice.activity)).toContain('Break-glass');
    expect(JSON.stringify(alice.activity)).toContain('Payments are down');
    expect(titlesOf(alice.activity)).toEqual(expect.arrayContaining(['Sign off', 'Flag…']));
    expect(titlesOf(alice.activity)).not.toContain('Approve');
    // olga owns the requesting agent: she is in the approver group, yet never asked to review herself.
    await sleep(500);
    expect(dmsTo('olga', 'Sign off')).toHaveLength(0);
    expect(dmsTo('alice', id)).toHaveLength(1);
    expect(dmsTo('bob', id)).toHaveLength(1);

    const own = await press(s, 'olga', 'sign_off', { actionId: id }, alice.id, alice.conversationId);
    expect(own.text).toMatch(/^Not signed off: /);
    const signed = await press(s, 'alice', 'sign_off', { actionId: id }, alice.id, alice.conversationId);
    expect(signed.kind).toBe('card');
    expect(titlesOf(signed.card)).not.toContain('Sign off');
    const { body: request } = await s.t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key });
    expect(request.breakGlass?.followUp).toMatchObject({
      status: 'signed_off',
      by: 'user:alice@example.com',
    });
    // The click replaced the card in alice's chat, where she pressed it; bob's loses its buttons too.
    expect(
      s.ms.updates.some((u) => u.conversationId === alice.conversationId && u.activityId === alice.id),
    ).toBe(true);
    const [bob] = dmsTo('bob', id);
    const rewritten = await until(() =>
      s.ms.updates.findLast((u) => u.conversationId === bob?.conversationId && u.activityId === bob?.id),
    );
    expect(JSON.stringify(rewritten.activity)).toContain('signed off the break-glass');
    expect(titlesOf(rewritten.activity)).not.toContain('Sign off');
    expect(titlesOf(rewritten.activity)).not.toContain('Flag…');
  });

  it('a failed attempt is retried without posting twice: bob’s chat refused once, the card’s update refused once', async () => {
    const { id, cardId, key } = await heldWithApproversKnown();
    // The break-glass delivery fails after queueing the approvers' cards (its card update is refused),
    // so it runs again; and bob's first 1:1 chat is refused, so his card is retried alone.
    s.ms.failOnce((c) => c.method === 'PUT' && c.path.endsWith(`/activities/${encodeURIComponent(cardId)}`));
    s.ms.failOnce((c) => c.method === 'POST' && c.path === '/v3/conversations' && c.body.includes('29:bob'));
    const broken = await s.t.call('POST', `/v1/actions/${id}/break-glass`, { key, body: { reason: REASON } });
    expect(broken.status).toBe(200);

    await until(() => dmsTo('bob', id)[0], 10_000);
    await until(() =>
      s.ms.updates.find((u) => u.activityId === cardId && JSON.stringify(u.activity).includes('Sign off')),
    );
    await sleep(1500);
    expect(s.ms.refusals.filter((r) => r.status === 500)).toHaveLength(2);
    expect(dmsTo('alice', id)).toHaveLength(1);
    expect(dmsTo('bob', id)).toHaveLength(1);
    expect(dmsTo('olga', 'Sign off')).toHaveLength(0);
  });
});
