import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../server/test/harness';
import {
  CHANNEL,
  PEOPLE,
  press as pressOn,
  repliesIn,
  say,
  until,
  useTeamsTest,
  type Who,
} from './teams-harness';

// Issue 16 in Teams: the card's forms (Approve with changes…, Approve for a while…, Ask…, Answer…,
// Break glass…, Sign off / Flag…) and Revoke in the queue, through the real SDK adapter to the core.
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [sre]
    teams: "Platform/Approvals"
  - name: drops
    match: { action: db.drop }
    effect: review
    approvers: [sre]
    amend: false
    teams: "Platform/Approvals"
  - name: reports
    match: { action: reports.* }
    effect: review
    approvers: [sre]
    standing: { max: 1h, uses: 5 }
    teams: "Platform/Approvals"
  - name: prod-fix
    match: { action: prod.* }
    effect: review
    approvers: [sre]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
    teams: "Platform/Approvals"
  - name: deploys
    match: { action: deploy.* }
    effect: review
    approvers: [sre]
    teams: "Platform/Approvals"
default: { effect: review, approvers: [sre] }
`;

const s = useTeamsTest({ policy: POLICY });
const SECRET = 'sk_live_abcdefghijklmnop';
const REASON = 'Payments are down and no approver answers the page at 03:00.';

type Element = { type?: string; title?: string; verb?: string; id?: string; value?: unknown };

/** Every action and input of a card, however deep (ActionSets, ShowCards), flattened. */
function elements(node: unknown, out: Element[] = []): Element[] {
  if (Array.isArray(node)) for (const n of node) elements(n, out);
  else if (node !== null && typeof node === 'object') {
    const e = node as Element & Record<string, unknown>;
    if (typeof e.type === 'string' && /^(Action|Input)\./.test(e.type)) out.push(e);
    for (const [k, v] of Object.entries(e)) if (k !== 'fallback') elements(v, out);
  }
  return out;
}
const titles = (node: unknown) => elements(node).map((e) => e.title ?? e.id);

/** Submits as olga's agent and waits for the card in the channel. */
async function held(body: Record<string, unknown>) {
  const key = await s.t.agentKey('worker', 'olga@example.com');
  const { body: submitted } = await s.t.call<{ id: string }>('POST', '/v1/actions', { key, body });
  const id = submitted.id;
  const card = await until(() =>
    s.ms.posts.find(
      (p) => p.conversationId === CHANNEL && !p.replyTo && JSON.stringify(p.activity).includes(id),
    ),
  );
  return { id, cardId: card.id, card: card.activity, key };
}

/** A press of a card button in this suite's Teams. */
const press = (
  who: Who,
  verb: string,
  data: Record<string, unknown>,
  replyToId: string,
  conversationId = CHANNEL,
) => pressOn(s, who, verb, data, replyToId, conversationId);

const get = async (id: string, key: string) =>
  (await s.t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;
const audit = async (type: string) =>
  auditEvents(s.t, await s.t.userKey('audra@example.com', ['audit:read']), `type=${type}`);

describe('Teams: approve with changes', () => {
  it('amends masked params from the card: a masked value left as is keeps the submitted one; refused for the requester; audited', async () => {
    const { id, cardId, card, key } = await held({
      action: 'db.export',
      resource: 'customers/eu',
      params: { rows: 50000, apiToken: SECRET },
    });
    const form = elements(card).find((e) => e.id === 'amendParams');
    expect(form?.value).toContain('••••••');
    expect(JSON.stringify(card)).not.toContain(SECRET);
    const edited = String(form?.value).replace('50000', '1000');
    const { digest } = await get(id, key);

    const self = await press('olga', 'amend', { actionId: id, digest, amendParams: edited }, cardId);
    expect(self.text).toMatch(/^Not approved: .*own/);
    const stale = await press(
      'alice',
      'amend',
      { actionId: id, digest: 'sha256:old', amendParams: edited },
      cardId,
    );
    expect(stale.text).toContain('changed since the card was drawn');
    const moved = await press(
      'alice',
      'amend',
      { actionId: id, digest, amendParams: '{"rows": 1000, "note": "••••••"}' },
      cardId,
    );
    expect(moved.text).toContain('A masked value');
    expect((await get(id, key)).status).toBe('pending');

    const done = await press('alice', 'amend', { actionId: id, digest, amendParams: edited }, cardId);
    expect(done.kind).toBe('card');
    const after = await get(id, key);
    expect(after).toMatchObject({ status: 'approved', params: { rows: 1000, apiToken: SECRET } });
    expect(after.amended?.by).toBe('user:alice@example.com');
    const [event] = (await audit('action.amended')).filter((e) => e.subject === id);
    expect(event?.actor).toBe('user:alice@example.com');
  });

  it('a rule that forbids amending offers no form, and the core refuses one anyway', async () => {
    const { id, cardId, card, key } = await held({ action: 'db.drop', resource: 'x', params: { rows: 5 } });
    expect(titles(card)).not.toContain('Approve with changes…');
    const { digest } = await get(id, key);
    const forced = await press('alice', 'amend', { actionId: id, digest, amendParams: '{"rows":1}' }, cardId);
    expect(forced.text).toMatch(/^Not approved: /);
    expect((await get(id, key)).status).toBe('pending');
  });
});

describe('Teams: approve for a while, and Revoke', () => {
  it('within the rule’s limits and a narrower resource; later requests approved at once; revoked from the queue by an approver only', async () => {
    const first = await held({ action: 'reports.run', resource: 'reports/eu/q1' });
    expect(titles(first.card)).toEqual(
      expect.arrayContaining(['Approve for 1h…', 'standingFor', 'standingUses']),
    );
    const data = {
      actionId: first.id,
      standingFor: '30m',
      standingUses: '2',
      standingResource: 'reports/eu/*',
    };

    const stranger = await press('mallory', 'standing', data, first.cardId);
    expect(stranger.text).toMatch(/^Not approved: /);
    const tooMany = await press('alice', 'standing', { ...data, standingUses: '9' }, first.cardId);
    expect(tooMany.text).toBe('Not approved: The rule allows at most 5.');
    const tooLong = await press('alice', 'standing', { ...data, standingFor: '2h' }, first.cardId);
    expect(tooLong.text).toBe('Not approved: The rule allows at most 1h.');
    const wider = await press('alice', 'standing', { ...data, standingResource: 'other/*' }, first.cardId);
    expect(wider.text).toMatch(/^Not approved: /);
    expect((await get(first.id, first.key)).status).toBe('pending');

    expect((await press('alice', 'standing', data, first.cardId)).kind).toBe('card');
    const standing = (await get(first.id, first.key)).standing;
    expect(standing).toMatchObject({ role: 'created', resource: 'reports/eu/*', usesLeft: 2 });
    const { body: second } = await s.t.call<ActionRequest>('POST', '/v1/actions', {
      key: first.key,
      body: { action: 'reports.run', resource: 'reports/eu/q2' },
    });
    expect(second.status).toBe('approved');
    expect((await audit('standing.created')).map((e) => e.subject)).toEqual([first.id]);

    // The queue lists it with Revoke; the requester's side may see it but not revoke it.
    await say(s, 'bob', 'approvals');
    const listed = await until(() =>
      s.ms.posts.find(
        (p) => p.conversationId === 'a:chat-bob' && JSON.stringify(p.activity).includes('Standing approvals'),
      ),
    );
    expect(JSON.stringify(listed.activity)).toContain(standing?.id ?? 'missing');
    const byOwner = await press(
      'olga',
      'revoke_standing',
      { standingId: standing?.id },
      listed.id,
      'a:chat-olga',
    );
    expect(byOwner.text).toMatch(/^Not revoked: /);
    const revoked = await press(
      'bob',
      'revoke_standing',
      { standingId: standing?.id },
      listed.id,
      'a:chat-bob',
    );
    expect(revoked.text).toContain('Revoked the standing approval of reports.run on reports/eu/*');
    const [event] = await audit('standing.revoked');
    expect(event).toMatchObject({ actor: 'user:bob@example.com', subject: first.id });
    const again = await press(
      'alice',
      'revoke_standing',
      { standingId: standing?.id },
      listed.id,
      'a:chat-alice',
    );
    expect(again.text).toBe('Not revoked: This standing approval was already revoked.');
  });
});

describe('Teams: ask, and answer in the thread', () => {
  it('an approver asks from the card, the question is threaded with Answer…, the owner answers; strangers refused; both audited', async () => {
    const { id, cardId, key } = await held({ action: 'deploy.web', resource: 'web' });
    const stranger = await press('mallory', 'ask', { actionId: id, question: 'why?' }, cardId);
    expect(stranger.text).toMatch(/^Not asked: /);
    const asked = await press(
      'alice',
      'ask',
      { actionId: id, question: 'Which customers, and why now?' },
      cardId,
    );
    expect(asked.text).toContain('stays pending');

    const thread = await until(() =>
      s.ms.posts.find((p) => p.replyTo === cardId && JSON.stringify(p.activity).includes('Which customers')),
    );
    expect(titles(thread.activity)).toContain('Answer…');
    expect(JSON.stringify(thread.activity)).not.toContain('POST /v1');

    const notOwner = await press('bob', 'answer', { actionId: id, answer: 'me' }, thread.id);
    expect(notOwner.text).toBe(
      'Not answered: Only the requester (or the agent’s owner) answers questions about a request.',
    );
    const empty = await press('olga', 'answer', { actionId: id, answer: '  ' }, thread.id);
    expect(empty.text).toContain('Type your answer');
    const answered = await press(
      'olga',
      'answer',
      { actionId: id, answer: 'EU only, for the audit.' },
      thread.id,
    );
    expect(answered.text).toContain('stays pending');

    const after = await get(id, key);
    expect(after.status).toBe('pending');
    expect(after.comments?.map((c) => [c.role, c.comment])).toEqual([
      ['reviewer', 'Which customers, and why now?'],
      ['requester', 'EU only, for the audit.'],
    ]);
    expect((await audit('action.question'))[0]).toMatchObject({
      actor: 'user:alice@example.com',
      subject: id,
    });
    expect((await audit('action.answered'))[0]).toMatchObject({
      actor: 'user:olga@example.com',
      subject: id,
    });
    await until(() =>
      s.ms.posts.find((p) => p.replyTo === cardId && JSON.stringify(p.activity).includes('answered')),
    );
  });
});

describe('Teams: a question reaches the owner 1:1 too', () => {
  it('an owner who has talked to the bot gets the question with Answer… in a 1:1 chat, and answers there', async () => {
    await say(s, 'olga', 'approvals'); // seen in Teams once, so the bot can reach her
    const { id, cardId, key } = await held({ action: 'deploy.api', resource: 'api' });
    await press('alice', 'ask', { actionId: id, question: 'Is the canary green?' }, cardId);
    const chat = await until(() =>
      [...s.ms.conversations.entries()].find(([, c]) => c.members.includes(PEOPLE.olga.teamsId)),
    );
    const question = await until(() =>
      s.ms.posts.find((p) => p.conversationId === chat[0] && JSON.stringify(p.activity).includes('canary')),
    );
    expect(titles(question.activity)).toContain('Answer…');
    const answered = await press(
      'olga',
      'answer',
      { actionId: id, answer: 'Yes, for an hour.' },
      question.id,
      chat[0],
    );
    expect(answered.text).toContain('stays pending');
    expect((await get(id, key)).comments?.at(-1)).toMatchObject({
      role: 'requester',
      comment: 'Yes, for an hour.',
    });
  });
});

describe('Teams: break-glass and its follow-up', () => {
  it('only the requester’s side breaks the glass, with 20+ characters; the card then offers Sign off / Flag… to approvers', async () => {
    const { id, cardId, card, key } = await held({ action: 'prod.restart', resource: 'payments' });
    expect(titles(card)).toContain('Break glass…');
    const approver = await press('alice', 'break_glass', { actionId: id, glassReason: REASON }, cardId);
    expect(approver.text).toBe(
      'Glass not broken: Only the requester, or the agent’s owner, may break the glass on a request.',
    );
    const short = await press('olga', 'break_glass', { actionId: id, glassReason: 'it is down' }, cardId);
    expect(short.text).toContain('at least 20 characters');
    expect((await get(id, key)).status).toBe('pending');

    const broken = await press('olga', 'break_glass', { actionId: id, glassReason: REASON }, cardId);
    expect(broken.kind).toBe('card');
    expect(titles(broken.card)).toEqual(expect.arrayContaining(['Sign off', 'Flag…']));
    expect((await get(id, key)).breakGlass?.followUp?.status).toBe('open');
    expect((await audit('action.break_glass'))[0]).toMatchObject({
      actor: 'user:olga@example.com',
      subject: id,
    });
    const line = await until(() =>
      s.ms.posts.find((p) => p.replyTo === cardId && JSON.stringify(p.activity).includes('Break-glass')),
    );
    expect(JSON.stringify(line.activity)).toContain('Sign off');
    expect(JSON.stringify(line.activity)).not.toContain('POST /v1');

    // The follow-up is in every approver's queue until one of them closes it.
    await say(s, 'alice', 'approvals');
    await until(() =>
      s.ms.posts.find(
        (p) => p.conversationId === 'a:chat-alice' && JSON.stringify(p.activity).includes('follow-ups'),
      ),
    );
    const own = await press('olga', 'sign_off', { actionId: id }, cardId);
    expect(own.text).toBe(
      'Not signed off: No one may review their own break-glass, nor one of an agent they own.',
    );
    const bare = await press('bob', 'flag', { actionId: id }, cardId);
    expect(bare.text).toContain('Flagging needs a comment');
    const flagged = await press(
      'bob',
      'flag',
      { actionId: id, followUpComment: 'an approver was on call' },
      cardId,
    );
    expect(flagged.kind).toBe('card');
    expect(titles(flagged.card)).not.toContain('Sign off');
    expect((await get(id, key)).breakGlass?.followUp).toMatchObject({
      status: 'flagged',
      by: 'user:bob@example.com',
    });
    expect((await audit('action.follow_up'))[0]).toMatchObject({
      actor: 'user:bob@example.com',
      subject: id,
    });
    const late = await press('alice', 'sign_off', { actionId: id }, cardId);
    expect(late.text).toMatch(/^Not signed off: This break-glass has no open follow-up/);
  });
});

describe('Teams: the requester’s side in a 1:1 chat', () => {
  it('`requests` lists their pending requests with Break glass… and no review buttons; the glass breaks from there', async () => {
    const { id, key } = await held({ action: 'prod.restart', resource: 'payments' });
    await say(s, 'mallory', 'requests');
    expect(repliesIn(s, 'a:chat-mallory').at(-1)).toBe('You (and agents you own) have nothing pending.');

    await say(s, 'olga', 'requests');
    const mine = await until(() =>
      s.ms.posts.find((p) => p.conversationId === 'a:chat-olga' && JSON.stringify(p.activity).includes(id)),
    );
    expect(titles(mine.activity)).toContain('Break glass…');
    expect(titles(mine.activity)).not.toContain('Approve');
    expect(titles(mine.activity)).not.toContain('Ask…');

    const stranger = await press(
      'mallory',
      'break_glass',
      { actionId: id, glassReason: REASON },
      mine.id,
      'a:chat-mallory',
    );
    expect(stranger.text).toMatch(/^Glass not broken: /);
    const broken = await press(
      'olga',
      'break_glass',
      { actionId: id, glassReason: REASON },
      mine.id,
      'a:chat-olga',
    );
    expect(broken.kind).toBe('card');
    expect(titles(broken.card)).not.toContain('Sign off');
    expect((await get(id, key)).status).toBe('approved');
    expect((await audit('action.break_glass')).map((e) => e.subject)).toEqual([id]);
  });
});
