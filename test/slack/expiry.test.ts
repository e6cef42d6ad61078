import { describe, expect, it } from 'vitest';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  heldRequest,
  outboxDrained,
  waitForDm,
  waitForReply,
  waitForUpdate,
} from './slack-flows';
import { useSlackTest } from './slack-harness';

const s = useSlackTest({ env: { COUNTERSIGN_SWEEP_INTERVAL_MS: '200' } });

describe('a request that times out (rule quick: 1 s)', () => {
  it('the sweeper expires it: the message loses its buttons and says expired, and the agent owner gets a DM', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      agent: 'quick-bot',
      submission: { action: 'quick.thing' },
    });
    expect(hasButtons(s.slack.message(ref.channel, ref.ts)?.blocks)).toBe(true);

    await waitForUpdate(
      s.slack,
      ref,
      (content, call) => content.includes('Expired without a decision') && !hasButtons(call.args.blocks),
      5000,
    );
    await waitForReply(s.slack, ref, ':hourglass: Expired without a decision');
    const dm = await waitForDm(s.slack, 'erin', /Expired without a decision/);
    expect(String(dm.args.text)).toContain(req.id);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('expired');
    expect((await auditOf(s.t, req.id)).filter((e) => e.type === 'action.expired')).toMatchObject([
      { actor: 'system:sweeper' },
    ]);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('an owner who is not in this Slack gets no DM, and the message is still updated', async () => {
    const { ref } = await heldRequest(s, {
      agent: 'quick-bot',
      owner: 'zed@example.com',
      submission: { action: 'quick.thing' },
    });
    await waitForUpdate(s.slack, ref, (content) => content.includes('Expired without a decision'), 5000);
    await outboxDrained(s.t);
    expect(s.slack.callsTo('conversations.open')).toEqual([]);
    // looking zed up is the one call Slack may refuse: there is no such user
    expectNoFailedSlackCalls(
      s.slack,
      (c) => c.method === 'users.lookupByEmail' && c.response.error === 'users_not_found',
    );
  });
});
