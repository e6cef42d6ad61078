import { describe, expect, it } from 'vitest';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  heldRequest,
  outboxDrained,
  typesOf,
  waitForEphemeral,
  waitForReply,
} from './slack-flows';
import { useSlackTest } from './slack-harness';
import { buttonsIn, click, openModal, submitModal, typed } from './slack-modals';

// Issue 16, ask before deciding, from Slack: "Ask…" beside Approve and Deny opens a modal; the review
// verb's `ask` decides who may ask, and the question is threaded with its Answer button.
const s = useSlackTest({}, { per: 'file' });
const question = (text: string) => typed('question', 'question_input', text);

describe('asking from Slack', () => {
  it('Ask… opens a modal; the owner is refused, an empty question too; an approver’s question is recorded and threaded', async () => {
    const { agent, req, ref } = await heldRequest(s);
    expect(buttonsIn(s.slack.message(ref.channel, ref.ts)?.blocks)).toEqual([
      'countersign.approve',
      'countersign.deny',
      'countersign.amend',
      'countersign.ask',
    ]);
    const modal = await openModal(s, 'alice', 'countersign.ask', req.id, ref);
    expect(modal).toMatchObject({ callback_id: 'countersign.ask_modal' });

    expect((await submitModal(s, 'alice', modal, question(''))).errors.question).toBe('Write the question.');
    // erin owns ops-bot: the requester's side does not ask itself questions.
    const owner = await submitModal(s, 'erin', modal, question('Shall I?'));
    expect(owner.errors.question).toMatch(/Not asked: No one may review their own request/);
    // carol is in no approver group of this request.
    const stranger = await submitModal(s, 'carol', modal, question('Why?'));
    expect(stranger.errors.question).toMatch(/Not asked: Only members of the approver groups/);
    expect(typesOf(await auditOf(s.t, req.id))).not.toContain('action.question');

    expect(await submitModal(s, 'alice', modal, question('Which workspace, exactly?'))).toMatchObject({
      closed: true,
    });
    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('pending');
    expect(after.comments).toMatchObject([
      { role: 'reviewer', author: 'user:alice@example.com', comment: 'Which workspace, exactly?' },
    ]);
    const asked = (await auditOf(s.t, req.id)).find((e) => e.type === 'action.question');
    expect(asked).toMatchObject({ actor: 'user:alice@example.com', data: { via: 'slack' } });
    const reply = await waitForReply(s.slack, ref, /:question: <@U0ALICE> asks .*Which workspace, exactly\?/);
    expect(buttonsIn(reply.args.blocks)).toEqual(['countersign.answer']);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('a click on a decided request opens nothing and says so', async () => {
    const { req, ref } = await heldRequest(s);
    const bob = await s.t.userKey('bob@example.com', ['reviews:write']);
    expect(
      (await s.t.call('POST', `/v1/actions/${req.id}/reviews`, { key: bob, body: { decision: 'approve' } }))
        .status,
    ).toBe(200);
    await click(s, 'alice', 'countersign.ask', req.id, ref);
    await waitForEphemeral(s.slack, 'alice', 'This request is approved: there is nothing left to ask.');
  });
});
