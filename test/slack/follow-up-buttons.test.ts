import { describe, expect, it } from 'vitest';
import type { JsonObject, RecordedCall } from '../slack-emulator';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  heldRequest,
  type MessageRef,
  outboxDrained,
  shown,
  threadReplies,
  waitForDm,
  waitForEphemeral,
  waitForReply,
} from './slack-flows';
import { homeOpened, postToSlackEvents, useSlackTest } from './slack-harness';
import { buttonIn, buttonsIn, click, homePublished, openModal, submitModal, typed } from './slack-modals';

// Issue 16, a break-glass's follow-up review from Slack: Sign off (behind a confirm dialog) and Flag…
// (a modal with a required comment), on the thread post, the approvers' DMs and their Home tabs.
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: prod-fix
    match: { action: "prod.*" }
    effect: review
    approvers: [sre]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
default: { effect: deny, reason: no }
`;

const s = useSlackTest({ policy: POLICY }, { per: 'file' });
const REASON = 'The database is on fire and no approver answers the page.';

/** ops-bot (owned by erin) breaks the glass through the API; returns the thread post with its buttons. */
async function brokenGlass(action: string) {
  const held = await heldRequest(s, { submission: { action } });
  const broken = await s.t.call('POST', `/v1/actions/${held.req.id}/break-glass`, {
    key: held.agent,
    body: { reason: REASON },
  });
  expect(broken.status).toBe(200);
  const post = await waitForReply(s.slack, held.ref, /:rotating_light: \*Break-glass\*/);
  return {
    ...held,
    post: { channel: held.ref.channel, ts: String(post.response.ts) },
    blocks: post.args.blocks,
  };
}

/** Every message that offered the follow-up's buttons: the thread post, then alice's and bob's DMs. */
async function followUpPosts(id: string, post: MessageRef): Promise<MessageRef[]> {
  const dms = await Promise.all((['alice', 'bob'] as const).map((who) => waitForDm(s.slack, who, id)));
  const posts = [
    post,
    ...dms.map((c) => ({ channel: String(c.response.channel), ts: String(c.response.ts) })),
  ];
  for (const p of posts)
    expect(buttonsIn(s.slack.message(p.channel, p.ts)?.blocks)).toEqual([
      'countersign.sign_off',
      'countersign.flag',
    ]);
  return posts;
}

/** The message as Slack holds it now: no buttons, and the line naming who closed the review. */
function expectClosed(ref: MessageRef, line: RegExp): void {
  const message = s.slack.message(ref.channel, ref.ts);
  expect(hasButtons(message?.blocks)).toBe(false);
  expect(shown(message?.blocks)).toMatch(line);
  // The notification text too, and no hint at buttons that are gone.
  expect(message?.text).toMatch(line);
  expect(message?.text).not.toContain('*Sign off*');
}

/** A Home whose entry for this request offers no follow-up button and says who closed it, and how. */
const closedOnHome =
  (id: string, line: RegExp) =>
  (blocks: unknown, text: string): boolean =>
    !buttonIn(blocks, 'countersign.sign_off', id) &&
    !buttonIn(blocks, 'countersign.flag', id) &&
    text.includes(id) &&
    line.test(text);

const updatesOf = (ref: MessageRef): RecordedCall[] =>
  s.slack.callsTo('chat.update').filter((c) => c.args.channel === ref.channel && c.args.ts === ref.ts);

describe('the follow-up review of a break-glass, from Slack', () => {
  it('Sign off on the thread post: confirmed first, refused for the owner, recorded for an approver', async () => {
    const { agent, req, ref, post, blocks } = await brokenGlass('prod.restart');
    expect(buttonsIn(blocks)).toEqual(['countersign.sign_off', 'countersign.flag']);
    expect(buttonIn(blocks, 'countersign.sign_off', req.id)).toMatchObject({
      confirm: { confirm: { text: 'Sign off' }, deny: { text: 'Cancel' } },
    });

    // The requester's side cannot review its own break-glass: the core's words, only to erin.
    await click(s, 'erin', 'countersign.sign_off', req.id, post);
    await waitForEphemeral(s.slack, 'erin', /Not signed off: No one may review their own break-glass/);
    expect((await fetchRequest(s.t, agent, req.id)).breakGlass?.followUp?.status).toBe('open');

    await click(s, 'alice', 'countersign.sign_off', req.id, post);
    await waitForEphemeral(s.slack, 'alice', `You signed off the break-glass of prod.restart (${req.id})`);
    expect((await fetchRequest(s.t, agent, req.id)).breakGlass?.followUp).toMatchObject({
      status: 'signed_off',
      by: 'user:alice@example.com',
    });
    const audited = (await auditOf(s.t, req.id)).filter((e) => e.type === 'action.follow_up');
    expect(audited).toMatchObject([{ actor: 'user:alice@example.com', data: { decision: 'signed_off' } }]);
    await waitForReply(s.slack, ref, /:white_check_mark: <@U0ALICE> signed off the break-glass/);

    // A second click (bob, on the stale post) is refused: it is closed.
    await click(s, 'bob', 'countersign.sign_off', req.id, post);
    await waitForEphemeral(s.slack, 'bob', /Not signed off: This break-glass has no open follow-up review/);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('Flag… from the Home: a comment is required, the owner is refused, the flag is recorded and the Home refreshed', async () => {
    const { agent, req, post } = await brokenGlass('prod.failover');
    // Each approver's DM carries the follow-up buttons too.
    const posts = await followUpPosts(req.id, post);

    let since = s.slack.calls.length;
    expect((await postToSlackEvents(s.t, homeOpened('bob'))).status).toBe(200);
    const home = await homePublished(s.slack, 'bob', (_, text) => text.includes(req.id), since);
    const homeBlocks = (home.args.view as JsonObject).blocks;
    expect(buttonIn(homeBlocks, 'countersign.flag', req.id)).toBeDefined();
    expect(buttonIn(homeBlocks, 'countersign.sign_off', req.id)).toBeDefined();

    const modal = await openModal(s, 'bob', 'countersign.flag', req.id, 'home');
    expect(modal).toMatchObject({ callback_id: 'countersign.flag_modal' });
    const comment = (text: string) => typed('flag_comment', 'flag_comment_input', text);
    expect((await submitModal(s, 'bob', modal, comment('   '))).errors.flag_comment).toContain(
      'a flag needs a comment',
    );
    expect((await submitModal(s, 'erin', modal, comment('looks fine to me'))).errors.flag_comment).toMatch(
      /Not flagged: No one may review their own break-glass/,
    );
    expect((await fetchRequest(s.t, agent, req.id)).breakGlass?.followUp?.status).toBe('open');

    since = s.slack.calls.length;
    expect(
      await submitModal(s, 'bob', modal, comment('A restart would have done; no failover.')),
    ).toMatchObject({
      closed: true,
    });
    expect((await fetchRequest(s.t, agent, req.id)).breakGlass?.followUp).toMatchObject({
      status: 'flagged',
      by: 'user:bob@example.com',
      comment: 'A restart would have done; no failover.',
    });
    const audited = (await auditOf(s.t, req.id)).find((e) => e.type === 'action.follow_up');
    expect(audited).toMatchObject({ actor: 'user:bob@example.com', data: { decision: 'flagged' } });
    // The follow-up leaves bob's queue: his Home is republished with who flagged it where its buttons were.
    await homePublished(s.slack, 'bob', closedOnHome(req.id, /\*flagged\* by <@U0BOB>/), since);
    await outboxDrained(s.t);
    // The thread post and both DMs now say who flagged it, when and why, and offer nothing to click.
    for (const p of posts)
      expectClosed(
        p,
        /\*flagged\* by <@U0BOB> · <!date\^\d+\^.*: “A restart would have done; no failover\.”/,
      );
    expectNoFailedSlackCalls(s.slack);
  });

  it('signed off through the API: every post that offered the buttons says who signed off and when, without them', async () => {
    const { req, post } = await brokenGlass('prod.resize');
    const posts = await followUpPosts(req.id, post);
    // erin opens her Home once, so Slack has told the bot who she is and the outbox refreshes it.
    expect((await postToSlackEvents(s.t, homeOpened('erin'))).status).toBe(200);
    await outboxDrained(s.t);
    const since = s.slack.calls.length;

    const alice = await s.t.userKey('alice@example.com', ['reviews:write']);
    const signed = await s.t.call('POST', `/v1/actions/${req.id}/follow-up`, {
      key: alice,
      body: { decision: 'sign_off' },
    });
    expect(signed.status).toBe(200);
    await outboxDrained(s.t);
    for (const p of posts) {
      expectClosed(p, /\*signed off\* by <@U0ALICE> · <!date\^\d+\^/);
      expect(updatesOf(p)).toHaveLength(1);
    }
    // bob's Home entry too: the outbox republished his tab, the buttons replaced by who signed off.
    await homePublished(s.slack, 'bob', closedOnHome(req.id, /\*signed off\* by <@U0ALICE>/), since);
    // erin broke the glass: her request shows under "Your requests", never as a follow-up of hers to review.
    await homePublished(
      s.slack,
      'erin',
      (_, text) =>
        /prod\.resize`\*[^\n]*\n[^\n]*\(follow-up review signed off\)/.test(text) &&
        !text.includes('Break-glass follow-ups'),
      since,
    );
    expectNoFailedSlackCalls(s.slack);
  });

  it("Sign off from the Home: the owner's click becomes a notice on her tab, an approver's closes it there", async () => {
    const { agent, req } = await brokenGlass('prod.drain');
    let since = s.slack.calls.length;
    await click(s, 'erin', 'countersign.sign_off', req.id, 'home');
    await homePublished(
      s.slack,
      'erin',
      (_, text) => text.includes('Not signed off: No one may review'),
      since,
    );

    since = s.slack.calls.length;
    await click(s, 'alice', 'countersign.sign_off', req.id, 'home');
    await homePublished(s.slack, 'alice', closedOnHome(req.id, /\*signed off\* by <@U0ALICE>/), since);
    expect((await fetchRequest(s.t, agent, req.id)).breakGlass?.followUp?.status).toBe('signed_off');
    expect((await auditOf(s.t, req.id)).filter((e) => e.type === 'action.follow_up')).toMatchObject([
      { actor: 'user:alice@example.com', data: { decision: 'signed_off' } },
    ]);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('a post Slack refuses to rewrite holds up none of the others, and a retry rewrites only what is left', async () => {
    const { req, ref, post } = await brokenGlass('prod.scale');
    const [thread, aliceDm, bobDm] = await followUpPosts(req.id, post);
    if (!thread || !aliceDm || !bobDm) throw new Error('expected the thread post and two DMs');
    await outboxDrained(s.t);
    const requestUpdates = updatesOf(ref).length;
    // Slack will not rewrite the thread post (deleted meanwhile, say), then fails once (a 503) on alice's DM.
    s.slack.failNext('chat.update', { error: 'message_not_found' });
    s.slack.failNext('chat.update', { status: 503 });

    const bob = await s.t.userKey('bob@example.com', ['reviews:write']);
    const signed = await s.t.call('POST', `/v1/actions/${req.id}/follow-up`, {
      key: bob,
      body: { decision: 'sign_off' },
    });
    expect(signed.status).toBe(200);
    await outboxDrained(s.t, 15_000);

    expect(updatesOf(thread).map((c) => c.response.error)).toEqual(['message_not_found']);
    expect(updatesOf(aliceDm).map((c) => c.status)).toEqual([503, 200]);
    expect(updatesOf(bobDm).map((c) => c.status)).toEqual([200]);
    for (const p of [aliceDm, bobDm]) expectClosed(p, /\*signed off\* by <@U0BOB>/);
    // The failed attempt stopped before the thread reply: the retry threads the sign-off once, and
    // updates the request's own message once.
    expect(threadReplies(s.slack, ref).filter((t) => t.includes('signed off the break-glass'))).toHaveLength(
      1,
    );
    expect(updatesOf(ref)).toHaveLength(requestUpdates + 1);
    expectNoFailedSlackCalls(
      s.slack,
      (c) => c.method === 'chat.update' && (c.status === 503 || c.response.error === 'message_not_found'),
    );
  }, 25_000);
});
