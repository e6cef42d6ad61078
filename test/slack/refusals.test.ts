import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  heldRequest,
  type MessageRef,
  outboxDrained,
  postedMessage,
  threadReplies,
  typesOf,
  waitForEphemeral,
  waitForReply,
} from './slack-flows';
import { buttonClick, denySubmission, postToSlackEvents, useSlackTest, type Who } from './slack-harness';

const s = useSlackTest();

/** Clicks Approve as `who` and checks the refusal: ephemeral, threaded, audited, and nothing decided. */
async function expectRefused(
  who: Who,
  key: string,
  id: string,
  ref: MessageRef,
  expected: { code: string; ephemeral: RegExp; reply: string },
): Promise<void> {
  // The deliverer is idle (the request's message is out and its Home refreshes done) when the click comes,
  // as it is when a person gets round to clicking.
  await outboxDrained(s.t);
  const res = await postToSlackEvents(s.t, buttonClick(s.slack, who, 'countersign.approve', id, ref));
  expect(res.status).toBe(200);
  const ephemeral = await waitForEphemeral(s.slack, who, expected.ephemeral);
  expect(ephemeral.args.channel).toBe(ref.channel);

  const after = await fetchRequest(s.t, key, id);
  expect(after.status).toBe('pending');
  expect(after.reviews).toEqual([]);
  expect(after.approvals.received).toBe(0);
  const audit = await auditOf(s.t, id);
  expect(typesOf(audit)).not.toContain('review.recorded');
  expect(audit.filter((e) => e.type === 'review.refused')).toMatchObject([
    { actor: `user:${who}@example.com`, data: { code: expected.code, decision: 'approve', via: 'slack' } },
  ]);

  // The channel hears of the attempt promptly, in the request's thread.
  await waitForReply(s.slack, ref, expected.reply, 3000);
  await outboxDrained(s.t);
  expect(threadReplies(s.slack, ref)).toHaveLength(1);
  // the message still offers its buttons to those who may decide
  expect(hasButtons(s.slack.message(ref.channel, ref.ts)?.blocks)).toBe(true);
  expectNoFailedSlackCalls(s.slack);
}

describe('refused reviews from Slack', () => {
  it("refuses the agent's owner (alice owns the agent and is in data-owners)", async () => {
    const { agent, req, ref } = await heldRequest(s, {
      agent: 'alice-bot',
      owner: 'alice@example.com',
      submission: { action: 'db.export', resource: 'customers/eu' },
    });
    await expectRefused('alice', agent, req.id, ref, {
      code: 'self_approval',
      ephemeral: /^Not approved: .*own request.*agent they own/,
      reply: "<@U0ALICE> can't review this request: it is their own, or their own agent's.",
    });
  });

  it('refuses the person who made the request (bob, in sre, asks as himself)', async () => {
    const bob = await s.t.userKey('bob@example.com', ['actions:write']);
    const req = await submit(s.t, bob, { action: 'terraform.apply', environment: 'prod' });
    const ref = await postedMessage(s.slack, req.id);
    await expectRefused('bob', bob, req.id, ref, {
      code: 'self_approval',
      ephemeral: /^Not approved: .*own request/,
      reply: "<@U0BOB> can't review this request: it is their own",
    });
  });

  it('refuses someone outside the approver groups (erin is in no group)', async () => {
    const { agent, req, ref } = await heldRequest(s, { owner: 'dan@example.com' });
    await expectRefused('erin', agent, req.id, ref, {
      code: 'not_an_approver',
      ephemeral: /^Not approved: Only members of the approver groups/,
      reply: "<@U0ERIN> can't review this request: they are not in its approver groups.",
    });
  });

  it("refuses the agent's owner in the deny modal, with the cause shown in the modal", async () => {
    const { agent, req, ref } = await heldRequest(s, {
      agent: 'alice-bot',
      owner: 'alice@example.com',
      submission: { action: 'terraform.apply' },
    });
    await outboxDrained(s.t);
    const res = await postToSlackEvents(s.t, denySubmission('alice', req.id, 'never mind'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/^Not denied: .*own request/) },
    });
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
    expect((await auditOf(s.t, req.id)).filter((e) => e.type === 'review.refused')).toMatchObject([
      { actor: 'user:alice@example.com', data: { code: 'self_approval', decision: 'deny' } },
    ]);
    await waitForReply(s.slack, ref, "<@U0ALICE> can't review this request", 3000);
    expectNoFailedSlackCalls(s.slack);
  });
});
