import { describe, expect, it } from 'vitest';
import {
  CHANNEL,
  click,
  PEOPLE,
  repliesIn,
  say,
  submitAndWaitForCard,
  until,
  useTeamsTest,
} from './teams-harness';

const s = useTeamsTest();
type Card = { actions?: { type: string }[]; body: unknown[] };
const cardOf = (activity: Record<string, unknown>) =>
  (activity.attachments as { content: Card }[] | undefined)?.[0]?.content;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statusOf = async (id: string) =>
  (
    await s.t.call<{ status: string; reviews: { comment?: string }[] }>('GET', `/v1/actions/${id}`, {
      key: await s.t.agentKey('deployer', 'olga@example.com'),
    })
  ).body;

describe('Teams deliveries: expiry, throttling and size', () => {
  it('expiry replaces the card: no buttons left, "Expired" shown, told in the thread', async () => {
    const { id, cardId } = await submitAndWaitForCard(s, 'quick.restart');
    const update = await until(
      () =>
        s.ms.updates.findLast(
          (u) => u.activityId === cardId && JSON.stringify(u.activity).includes('Expired without a decision'),
        ),
      8000,
    );
    expect(cardOf(update.activity)?.actions).toBeUndefined();
    expect(JSON.stringify(update.activity)).not.toContain('Action.Execute');
    await until(() =>
      s.ms.posts.find((p) => p.replyTo === cardId && JSON.stringify(p.activity).includes('Expired')),
    );
    // A click on the stale card is refused by the core, in words.
    const late = await click(s, cardId, 'alice', 'approve', id);
    expect(JSON.stringify(late.body)).toContain('Not approved');
    expect((await statusOf(id)).status).toBe('expired');
  });

  it('429: the deliverer waits for Retry-After before it calls Teams again', async () => {
    s.ms.throttle(1, 3);
    const started = Date.now();
    const { cardId } = await submitAndWaitForCard(s);
    const refused = s.ms.refusals.filter((r) => r.status === 429);
    expect(refused).toHaveLength(1);
    const posted = s.ms.posts.find((p) => p.id === cardId);
    // Backoff alone would retry after about a second; Retry-After said three.
    expect((posted?.at ?? 0) - (refused[0]?.at ?? started)).toBeGreaterThanOrEqual(2900);
  });

  it('a card Teams refuses as too large (413) goes out once more without the long text', async () => {
    const key = await s.t.agentKey('deployer', 'olga@example.com');
    s.ms.maxActivityBytes = 4000;
    const { body } = await s.t.call<{ id: string }>('POST', '/v1/actions', {
      key,
      body: {
        action: 'deploy.web',
        resource: 'web',
        justification: 'j'.repeat(2500),
        params: { notes: 'n'.repeat(1000) },
      },
    });
    const card = await until(() =>
      s.ms.posts.find(
        (p) => p.conversationId === CHANNEL && !p.replyTo && JSON.stringify(p.activity).includes(body.id),
      ),
    );
    expect(JSON.stringify(card.activity)).toContain('Teams refused the full card as too large');
    expect(JSON.stringify(card.activity)).not.toContain('jjjjjjjjjj');
    expect(s.ms.refusals.filter((r) => r.status === 413)).toHaveLength(1);
  });

  it('a card refused even without the long text: given up, never a retry storm', async () => {
    const key = await s.t.agentKey('deployer', 'olga@example.com');
    s.ms.maxActivityBytes = 300;
    await s.t.call('POST', '/v1/actions', { key, body: { action: 'deploy.web', resource: 'web' } });
    await until(() => (s.ms.refusals.length >= 2 ? true : undefined));
    await sleep(3000); // backoff would have retried by now (1 s, then 2 s)
    expect(s.ms.refusals.map((r) => r.status)).toEqual([413, 413]);
    expect(s.ms.posts.filter((p) => p.conversationId === CHANNEL)).toHaveLength(0);
  });
});

describe('Teams personal commands in a 1:1 chat', () => {
  it('approvals lists my queue as cards; approve <id> [comment] decides', async () => {
    const { id } = await submitAndWaitForCard(s);
    await say(s, 'alice', 'approvals');
    await until(() =>
      s.ms.posts.find(
        (p) => p.conversationId === 'a:chat-alice' && JSON.stringify(cardOf(p.activity) ?? '').includes(id),
      ),
    );
    await say(s, 'alice', `approve ${id} looks right`);
    expect(repliesIn(s, 'a:chat-alice').at(-1)).toContain(`You approved deploy.web (${id})`);
    const got = await statusOf(id);
    expect(got.status).toBe('approved');
    expect(got.reviews[0]?.comment).toBe('looks right');
    await say(s, 'alice', 'approvals');
    expect(repliesIn(s, 'a:chat-alice').at(-1)).toBe('Nothing waits for your review.');
  });

  it('deny <id> needs a reason; with one it denies', async () => {
    const { id } = await submitAndWaitForCard(s);
    await say(s, 'bob', `deny ${id}`);
    expect(repliesIn(s, 'a:chat-bob').at(-1)).toContain('a deny needs a reason');
    expect((await statusOf(id)).status).toBe('pending');
    await say(s, 'bob', `deny ${id} not during the freeze`);
    expect(repliesIn(s, 'a:chat-bob').at(-1)).toContain('You denied');
    expect((await statusOf(id)).reviews[0]?.comment).toBe('not during the freeze');
  });

  it('a stranger is refused in words and nothing is decided', async () => {
    const { id } = await submitAndWaitForCard(s);
    await say(s, 'mallory', `approve ${id}`);
    expect(repliesIn(s, 'a:chat-mallory').join('\n')).toMatch(/Not approved|not found|can't/i);
    expect((await statusOf(id)).status).toBe('pending');
  });

  it('connect gives a pairing code in a 1:1 chat, and refuses to post one in a channel', async () => {
    await say(s, 'alice', 'connect');
    expect(repliesIn(s, 'a:chat-alice').at(-1)).toMatch(/^Your pairing code: \S+/);
    await say(s, 'alice', '<at>Countersign</at> connect', CHANNEL);
    const inChannel = repliesIn(s, CHANNEL).at(-1);
    expect(inChannel).toContain('1:1 chat');
    expect(inChannel).not.toContain('pairing code:');
  });

  it("the requester's owner is told the outcome in a 1:1 chat", async () => {
    await say(s, 'olga', 'approvals'); // Olga is seen in Teams once, so the bot can reach her
    const { id, cardId } = await submitAndWaitForCard(s);
    await click(s, cardId, 'alice', 'approve', id);
    const chat = await until(() =>
      [...s.ms.conversations.entries()].find(([, c]) => c.members.includes(PEOPLE.olga.teamsId)),
    );
    const notice = await until(() => s.ms.posts.find((p) => p.conversationId === chat[0]));
    expect(notice.activity.text).toBe(
      `Your request deploy.web on web (${id}): Approved by alice@example.com`,
    );
  });
});
