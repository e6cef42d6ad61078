import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import type { SlackEmulator } from '../slack-emulator';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  outboxDrained,
  shown,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

/** Every top-level message in Slack that shows this request, deleted or not: what a reader could find. */
const copiesOf = (slack: SlackEmulator, id: string) =>
  slack.messages.filter((m) => m.threadTs === undefined && shown(m.blocks ?? []).includes(id));

describe('a request message Slack accepted but whose answer was lost (the crash window)', () => {
  it('is found in the channel history by its metadata and adopted, not posted again; approving it removes its buttons', async () => {
    // Slack posts the message, then the answer is lost: the same state as a node killed after Slack
    // accepted the post and before the ts was saved. The retry must not post a second copy.
    s.slack.failNext('chat.postMessage', { status: 503, afterHandling: true });
    const agent = await s.t.agentKey('ops-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'terraform.apply', environment: 'prod' });

    const lookup = await s.slack.waitFor('conversations.history', (c) => c.response.ok === true, 12_000);
    expect(lookup.args).toMatchObject({ include_all_metadata: 'true' });
    // The rule names the channel (#ops-approvals); history takes only its id.
    expect(s.slack.callsTo('conversations.list')).toHaveLength(1);
    await outboxDrained(s.t, 12_000);
    const copies = copiesOf(s.slack, req.id);
    expect(copies.map((m) => m.deleted)).toEqual([false]);
    const [message] = copies;
    if (!message) throw new Error('the request was never posted');
    expect(message.metadata).toEqual({
      event_type: 'countersign_request',
      event_payload: { action_id: req.id },
    });
    expect(s.slack.callsTo('chat.postMessage').filter((c) => shown(c.args).includes(req.id))).toHaveLength(1);
    const ref = { channel: message.channel, ts: message.ts };
    const saved = await s.t.rawDb().execute({
      sql: 'SELECT channel, ts FROM slack_messages WHERE action_id = ?',
      args: [req.id],
    });
    expect(saved.rows.map((r) => ({ channel: r.channel, ts: r.ts }))).toEqual([ref]);

    await postToSlackEvents(s.t, buttonClick(s.slack, 'bob', 'countersign.approve', req.id, ref));
    await waitForUpdate(s.slack, ref, (_, call) => !hasButtons(call.args.blocks));
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('approved');
    await outboxDrained(s.t);
    expect(copiesOf(s.slack, req.id).filter((m) => !m.deleted && hasButtons(m.blocks))).toEqual([]);
    expectNoFailedSlackCalls(s.slack, (c) => c.status === 503);
  }, 30_000);

  it('posts normally when the claimed attempt never reached Slack', async () => {
    s.slack.failNext('chat.postMessage', { status: 503 });
    const agent = await s.t.agentKey('ops-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'terraform.apply', environment: 'prod' });
    // The retry looks for the channel first (it is named, #ops-approvals): Slack never saw it, so no
    // history to search, and the message is posted once.
    await s.slack.waitFor('conversations.list', (c) => c.response.ok === true, 12_000);
    await outboxDrained(s.t, 12_000);
    expect(copiesOf(s.slack, req.id).map((m) => m.deleted)).toEqual([false]);
    expect(s.slack.callsTo('chat.postMessage').filter((c) => c.status === 200)).toHaveLength(1);
    expectNoFailedSlackCalls(s.slack, (c) => c.status === 503);
  }, 30_000);
});
