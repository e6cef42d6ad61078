import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  outboxDrained,
  postedMessage,
  postsOf,
  threadReplies,
  waitForDm,
  waitForReply,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

describe('a request that needs two approvals', () => {
  it('is decided by two data-owners in one thread, its message updated in place from "1 of 2" to approved', async () => {
    const agent = await s.t.agentKey('export-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'db.export', resource: 'customers/eu' });
    expect(req.approvals).toEqual({ required: 2, received: 0 });
    const ref = await postedMessage(s.slack, req.id);
    expect(postsOf(s.slack, req.id)[0]?.args.channel).toBe('#data-approvals');

    const first = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'carol', 'countersign.approve', req.id, ref),
    );
    expect(first.status).toBe(200);
    await waitForReply(s.slack, ref, ':white_check_mark: <@U0CAROL> approved');
    await waitForUpdate(
      s.slack,
      ref,
      (content, call) => content.includes('*Approvals*\n1 of 2') && hasButtons(call.args.blocks),
    );
    const halfway = await fetchRequest(s.t, agent, req.id);
    expect(halfway.status).toBe('pending');
    expect(halfway.approvals).toEqual({ required: 2, received: 1 });

    const second = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'dan', 'countersign.approve', req.id, ref),
    );
    expect(second.status).toBe(200);
    await waitForReply(s.slack, ref, ':white_check_mark: <@U0DAN> approved');
    await waitForUpdate(
      s.slack,
      ref,
      (content, call) =>
        content.includes('Approved by <@U0CAROL>, <@U0DAN>') &&
        content.includes('*Approvals*\n2 of 2') &&
        !hasButtons(call.args.blocks),
    );
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('approved');
    await waitForDm(s.slack, 'erin', /Approved by <@U0CAROL>, <@U0DAN>/);

    await outboxDrained(s.t);
    expect(threadReplies(s.slack, ref)).toEqual([
      ':white_check_mark: <@U0CAROL> approved',
      ':white_check_mark: <@U0DAN> approved',
      ':white_check_mark: Approved by <@U0CAROL>, <@U0DAN>',
    ]);
    // every edit went to the one message: no second message, no update elsewhere
    expect(postsOf(s.slack, req.id)).toHaveLength(1);
    const updates = s.slack.callsTo('chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.filter((c) => c.args.channel !== ref.channel || c.args.ts !== ref.ts)).toEqual([]);
    expect(hasButtons(s.slack.message(ref.channel, ref.ts)?.blocks)).toBe(false);
    expectNoFailedSlackCalls(s.slack);
  });
});
