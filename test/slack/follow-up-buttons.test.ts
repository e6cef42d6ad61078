import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../slack-emulator';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  heldRequest,
  outboxDrained,
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
    const { agent, req } = await brokenGlass('prod.failover');
    // bob's DM carries the follow-up buttons too.
    const dm = await s.slack.waitFor(
      'chat.postMessage',
      (c) => String(c.args.channel).startsWith('D') && JSON.stringify(c.args.blocks ?? '').includes(req.id),
    );
    expect(buttonsIn(dm.args.blocks)).toEqual(['countersign.sign_off', 'countersign.flag']);

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
    // The follow-up leaves bob's queue: his Home is republished without it.
    await homePublished(s.slack, 'bob', (_, text) => !text.includes(req.id), since);
    await outboxDrained(s.t);
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
    await homePublished(s.slack, 'alice', (_, text) => !text.includes(req.id), since);
    expect((await fetchRequest(s.t, agent, req.id)).breakGlass?.followUp?.status).toBe('signed_off');
    expect((await auditOf(s.t, req.id)).filter((e) => e.type === 'action.follow_up')).toMatchObject([
      { actor: 'user:alice@example.com', data: { decision: 'signed_off' } },
    ]);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });
});
