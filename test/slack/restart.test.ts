import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  heldRequest,
  outboxDrained,
  postedMessage,
  postsOf,
  threadReplies,
  waitForReply,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

describe('a server restart between request and review', () => {
  it('a click on the message posted before the restart updates that same message, and nothing is posted twice', async () => {
    const { agent, req, ref } = await heldRequest(s);
    await outboxDrained(s.t);
    const dbFile = s.t.dbFile;

    await s.restart();
    expect(s.t.dbFile).toBe(dbFile);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
    const mark = s.slack.calls.at(-1)?.seq ?? 0;

    const res = await postToSlackEvents(s.t, buttonClick(s.slack, 'bob', 'countersign.approve', req.id, ref));
    expect(res.status).toBe(200);
    await waitForReply(s.slack, ref, ':white_check_mark: <@U0BOB> approved');
    await waitForUpdate(
      s.slack,
      ref,
      (content, call) =>
        call.seq > mark && content.includes('Approved by <@U0BOB>') && !hasButtons(call.args.blocks),
    );
    await outboxDrained(s.t);

    expect(postsOf(s.slack, req.id)).toHaveLength(1);
    expect(s.slack.messages.filter((m) => m.threadTs === undefined && m.blocks !== undefined)).toHaveLength(
      1,
    );
    expect(threadReplies(s.slack, ref)).toEqual([
      ':white_check_mark: <@U0BOB> approved',
      ':white_check_mark: Approved by <@U0BOB>',
    ]);
    expect(
      s.slack.callsTo('chat.update').every((c) => c.args.ts === ref.ts && c.args.channel === ref.channel),
    ).toBe(true);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('approved');
    expectNoFailedSlackCalls(s.slack);
  });

  it('a message that failed to post before the restart is posted once by the new server', async () => {
    s.slack.failNext('chat.postMessage', { status: 500 });
    const agent = await s.t.agentKey('ops-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'terraform.apply', environment: 'prod' });
    await s.slack.waitFor('chat.postMessage', (c) => c.status === 500);

    await s.restart();
    await postedMessage(s.slack, req.id, 8000);
    await outboxDrained(s.t);
    expect(postsOf(s.slack, req.id)).toHaveLength(1);
    expectNoFailedSlackCalls(s.slack, (c) => c.method === 'chat.postMessage' && c.status === 500);
  });
});
