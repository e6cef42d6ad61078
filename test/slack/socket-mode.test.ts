import { describe, expect, it } from 'vitest';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  heldRequest,
  outboxDrained,
  waitForUpdate,
} from './slack-flows';
import { buttonPayload, useSlackTest } from './slack-harness';

const s = useSlackTest({ socketMode: true });

describe('Socket Mode (SLACK_APP_TOKEN, no signing secret)', () => {
  it('a button click over the socket is acknowledged and approves the request', async () => {
    await s.slack.socketMode.waitForConnection();
    expect(s.slack.callsTo('apps.connections.open')).toHaveLength(1);
    // no public endpoint in Socket Mode: nothing answers at /slack/events
    expect((await fetch(`${s.t.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);

    const { agent, req, ref } = await heldRequest(s);

    const ack = await s.slack.socketMode.dispatch(
      'interactive',
      buttonPayload(s.slack, 'bob', 'countersign.approve', req.id, ref),
    );
    expect(s.slack.socketMode.acks.map((a) => a.envelope_id)).toContain(ack.envelope_id);

    await waitForUpdate(
      s.slack,
      ref,
      (content, call) => content.includes('Approved by <@U0BOB>') && !hasButtons(call.args.blocks),
    );
    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('approved');
    expect(after.reviews).toMatchObject([{ reviewer: 'user:bob@example.com', via: 'slack' }]);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });
});
