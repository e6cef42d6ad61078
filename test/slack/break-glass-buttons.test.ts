import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  heldRequest,
  outboxDrained,
  postedMessage,
  shown,
  typesOf,
  waitForDm,
  waitForEphemeral,
  waitForReply,
  waitForResponse,
  waitForUpdate,
} from './slack-flows';
import { homeOpened, postToSlackEvents, slashCommand, useSlackTest } from './slack-harness';
import { buttonsIn, click, homePublished, openModal, submitModal, typed } from './slack-modals';

// Issue 16, break-glass from Slack: the requester's side (here erin, who owns ops-bot) breaks the glass
// from the request's message, its Home, or /approvals break-glass; the core refuses anyone else.
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
  - name: no-glass
    match: { action: "db.*" }
    effect: review
    approvers: [sre]
default: { effect: deny, reason: no }
`;

const s = useSlackTest({ policy: POLICY }, { per: 'file' });
const REASON = 'Payments are down and nobody answers the 03:00 page.';
const reasonOf = (value: string) => typed('glass_reason', 'glass_reason_input', value);

describe('break-glass from Slack', () => {
  it("Break glass… on the message: the reason is checked in the modal, an approver is refused, the owner's reason approves", async () => {
    const { agent, req, ref } = await heldRequest(s, { submission: { action: 'prod.restart' } });
    expect(buttonsIn(s.slack.message(ref.channel, ref.ts)?.blocks)).toContain('countersign.break_glass');

    const modal = await openModal(s, 'erin', 'countersign.break_glass', req.id, ref);
    expect(modal).toMatchObject({ callback_id: 'countersign.break_glass_modal' });
    expect(JSON.stringify(modal)).toContain('#security');

    const short = await submitModal(s, 'erin', modal, reasonOf('it is urgent'));
    expect(short.errors.glass_reason).toMatch(/Not approved: reason: at least 20 characters/);
    // An approver is not the requester's side: the core's words, in the modal.
    const approver = await submitModal(s, 'bob', modal, reasonOf(REASON));
    expect(approver.errors.glass_reason).toContain('Only the requester, or the agent’s owner');
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');

    expect(await submitModal(s, 'erin', modal, reasonOf(REASON))).toMatchObject({ closed: true });
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({
      status: 'approved',
      breakGlass: { by: 'user:erin@example.com', reason: REASON, followUp: { status: 'open' } },
    });
    const glass = (await auditOf(s.t, req.id)).find((e) => e.type === 'action.break_glass');
    expect(glass).toMatchObject({ actor: 'user:erin@example.com', data: { reason: REASON } });
    // The message loses its buttons; the thread says it loudly, with the approvers' follow-up buttons.
    await waitForUpdate(s.slack, ref, (content) => content.includes('Approved by break-glass'));
    const reply = await waitForReply(s.slack, ref, /:rotating_light: \*Break-glass\*/);
    expect(buttonsIn(reply.args.blocks)).toEqual(['countersign.sign_off', 'countersign.flag']);
    expect(buttonsIn(s.slack.message(ref.channel, ref.ts)?.blocks)).toEqual([]);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('is not offered where the rule does not allow it, and a forged click is told so', async () => {
    const { agent, req, ref } = await heldRequest(s, { submission: { action: 'db.vacuum' } });
    expect(buttonsIn(s.slack.message(ref.channel, ref.ts)?.blocks)).not.toContain('countersign.break_glass');
    await click(s, 'erin', 'countersign.break_glass', req.id, ref);
    await waitForEphemeral(s.slack, 'erin', "This request's rule does not allow break-glass");
    expect(s.slack.callsTo('views.open').some((c) => JSON.stringify(c.args).includes(req.id))).toBe(false);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
    expect(typesOf(await auditOf(s.t, req.id))).not.toContain('action.break_glass');
  });

  it("the owner's Home offers Break glass… beside their pending request", async () => {
    const { req } = await heldRequest(s, { submission: { action: 'prod.failover' } });
    const since = s.slack.calls.length;
    expect((await postToSlackEvents(s.t, homeOpened('erin'))).status).toBe(200);
    const home = await homePublished(
      s.slack,
      'erin',
      (_, text) => text.includes(req.id) || text.includes('prod.failover'),
      since,
    );
    const view = home.args.view as { blocks: unknown };
    expect(buttonsIn(view.blocks)).toContain('countersign.break_glass');
    // The modal opens from the Home too (no channel: the trigger is enough).
    const modal = await openModal(s, 'erin', 'countersign.break_glass', req.id, 'home');
    expect(modal).toMatchObject({ callback_id: 'countersign.break_glass_modal' });
  });

  it('/approvals break-glass: usage without a reason, refused for an approver, approves for the owner', async () => {
    const agent = await s.t.agentKey('deploy-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'prod.rollback' });
    await postedMessage(s.slack, req.id);

    // erin's queue says which of her requests allow it, and how.
    const list = slashCommand(s.slack, 'erin', '/approvals', '');
    expect((await postToSlackEvents(s.t, list)).status).toBe(200);
    const listed = await waitForResponse(s.slack, list.responseUrlId);
    expect(listed).toMatch(new RegExp(`${req.id}.*break-glass allowed`));
    expect(listed).toContain('`/approvals break-glass <id> <reason>`');

    const usage = slashCommand(s.slack, 'erin', '/approvals', `break-glass ${req.id}`);
    const usageReply = await postToSlackEvents(s.t, usage);
    expect(await usageReply.text()).toContain('Usage: `/approvals break-glass');

    const bob = slashCommand(s.slack, 'bob', '/approvals', `break-glass ${req.id} ${REASON}`);
    expect((await postToSlackEvents(s.t, bob)).status).toBe(200);
    expect(await waitForResponse(s.slack, bob.responseUrlId)).toContain(
      'Not approved: Only the requester, or the agent’s owner',
    );
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');

    const erin = slashCommand(s.slack, 'erin', '/approvals', `break-glass ${req.id} ${REASON}`);
    expect((await postToSlackEvents(s.t, erin)).status).toBe(200);
    expect(await waitForResponse(s.slack, erin.responseUrlId)).toContain(
      'You broke the glass on `prod.rollback`',
    );
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({
      status: 'approved',
      breakGlass: { by: 'user:erin@example.com', reason: REASON },
    });
    expect(typesOf(await auditOf(s.t, req.id))).toContain('action.break_glass');
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('a follow-up closed before Slack heard of the break-glass: the broadcast goes out closed, naming who signed off', async () => {
    const { agent, req, ref } = await heldRequest(s, { submission: { action: 'prod.reindex' } });
    await outboxDrained(s.t);
    // Slack asks us to wait just as the glass breaks: the broadcast is still queued when alice signs off.
    s.slack.failNext('chat.postMessage', { status: 429, retryAfter: 2 });
    const broken = await s.t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: agent,
      body: { reason: REASON },
    });
    expect(broken.status).toBe(200);
    await s.slack.waitFor('chat.postMessage', (c) => c.status === 429);
    const alice = await s.t.userKey('alice@example.com', ['reviews:write']);
    const signed = await s.t.call('POST', `/v1/actions/${req.id}/follow-up`, {
      key: alice,
      body: { decision: 'sign_off' },
    });
    expect(signed.status).toBe(200);
    await outboxDrained(s.t, 15_000);

    const post = await waitForReply(s.slack, ref, /:rotating_light: \*Break-glass\*/);
    const dm = await waitForDm(s.slack, 'bob', req.id);
    for (const call of [post, dm]) {
      expect(buttonsIn(call.args.blocks)).toEqual([]);
      expect(shown(call.args.blocks)).toMatch(/\*signed off\* by <@U0ALICE> · <!date\^/);
      expect(String(call.args.text)).not.toContain('*Sign off*');
    }
    expectNoFailedSlackCalls(s.slack, (c) => c.status === 429);
  }, 25_000);
});
