import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../slack-emulator';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  heldRequest,
  outboxDrained,
  postsOf,
  threadReplies,
  waitForDm,
  waitForReply,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, denySubmission, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

describe('buttons on a request message', () => {
  it('Approve approves: a thread reply, the message updated in place without buttons naming the approver', async () => {
    const { agent, req, ref } = await heldRequest(s);
    expect(hasButtons(s.slack.message(ref.channel, ref.ts)?.blocks)).toBe(true);

    const res = await postToSlackEvents(s.t, buttonClick(s.slack, 'bob', 'countersign.approve', req.id, ref));
    expect(res.status).toBe(200);

    await waitForReply(s.slack, ref, ':white_check_mark: <@U0BOB> approved');
    await waitForUpdate(
      s.slack,
      ref,
      (content, call) => content.includes('Approved by <@U0BOB>') && !hasButtons(call.args.blocks),
    );
    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('approved');
    expect(after.reviews).toMatchObject([
      { reviewer: 'user:bob@example.com', decision: 'approve', via: 'slack' },
    ]);
    await waitForDm(s.slack, 'erin', /Approved by <@U0BOB>/);

    await outboxDrained(s.t);
    const message = s.slack.message(ref.channel, ref.ts);
    expect(hasButtons(message?.blocks)).toBe(false);
    expect(message?.revisions.every((r) => r.via !== 'response_url')).toBe(true);
    expect(postsOf(s.slack, req.id)).toHaveLength(1);
    expectNoFailedSlackCalls(s.slack);
  });

  it('Deny opens the reason modal; submitting it denies, threads the reason and shows the denier and reason', async () => {
    const { agent, req, ref } = await heldRequest(s);

    const click = buttonClick(s.slack, 'bob', 'countersign.deny', req.id, ref);
    expect((await postToSlackEvents(s.t, click)).status).toBe(200);
    const triggerId = JSON.parse(new URLSearchParams(click.body).get('payload') ?? '{}').trigger_id;
    const opened = await s.slack.waitFor('views.open', (c) => c.response.ok === true);
    expect(opened.args.trigger_id).toBe(triggerId);
    const modal = opened.args.view as JsonObject;
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'countersign.deny_modal' });
    // opening the modal decides nothing
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');

    const submitted = await postToSlackEvents(
      s.t,
      denySubmission('bob', req.id, 'not during the freeze', String(modal.private_metadata)),
    );
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toBe(''); // an empty ack closes the modal

    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('denied');
    expect(after.reviews).toMatchObject([
      { reviewer: 'user:bob@example.com', decision: 'deny', comment: 'not during the freeze', via: 'slack' },
    ]);
    await waitForReply(s.slack, ref, ':x: <@U0BOB> denied: “not during the freeze”');
    await waitForUpdate(
      s.slack,
      ref,
      (content, call) =>
        content.includes('Denied by <@U0BOB>: not during the freeze') && !hasButtons(call.args.blocks),
    );
    await outboxDrained(s.t);
    expect(postsOf(s.slack, req.id)).toHaveLength(1);
    expectNoFailedSlackCalls(s.slack);
  });

  it('a deny modal submitted without a reason is answered with an error in the modal and decides nothing', async () => {
    const { agent, req, ref } = await heldRequest(s, { submission: { action: 'terraform.apply' } });
    const submitted = await postToSlackEvents(s.t, denySubmission('bob', req.id, '   '));
    expect(submitted.status).toBe(200);
    expect(await submitted.json()).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.any(String) },
    });
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
    await outboxDrained(s.t);
    expect(threadReplies(s.slack, ref)).toEqual([]);
    expectNoFailedSlackCalls(s.slack);
  });
});
