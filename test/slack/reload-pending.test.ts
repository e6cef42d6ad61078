import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import type { RecordedCall } from '../slack-emulator';
import {
  expectNoFailedSlackCalls,
  hasButtons,
  outboxDrained,
  postedMessage,
  waitForDm,
  waitForReply,
  waitForUpdate,
} from './slack-flows';
import { PEOPLE, SLACK_POLICY, useSlackTest } from './slack-harness';

const s = useSlackTest();

// The admin who reloads is not in this Slack workspace: looking them up for a mention finds no one.
const adminLookup = (call: RecordedCall) =>
  call.method === 'users.lookupByEmail' && call.args.email === 'root@example.com';

async function reload(policy: string): Promise<void> {
  const admin = await s.t.userKey('root@example.com', ['admin']);
  await s.t.writePolicy(policy);
  const reply = await s.t.call('POST', '/v1/admin/policy/reload', { key: admin });
  expect(reply.status).toBe(200);
}

describe('a request pending in Slack when a reload changes its rule', () => {
  it('blocked: the card loses its buttons and says so, the thread and the owner are told', async () => {
    const agent = await s.t.agentKey('export-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'db.export', resource: 'customers/eu' });
    const ref = await postedMessage(s.slack, req.id);

    await reload(
      SLACK_POLICY.replace(
        'rules:\n',
        'rules:\n  - name: exports-frozen\n    match: { action: db.export }\n    effect: deny\n    reason: Exports are frozen.\n',
      ),
    );
    await waitForReply(s.slack, ref, /now blocks this request/, 8000);
    const update = await waitForUpdate(
      s.slack,
      ref,
      (content) => content.includes('Exports are frozen.'),
      8000,
    );
    expect(hasButtons(update.args.blocks)).toBe(false);
    const dm = await waitForDm(s.slack, 'erin', /Exports are frozen\./, 8000);
    expect(String(dm.args.text)).toContain(req.id);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack, adminLookup);
  }, 30_000);

  it('re-bound: the thread says what it now needs, and the card counts to the new quorum', async () => {
    const agent = await s.t.agentKey('export-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'db.export', resource: 'customers/eu' });
    const ref = await postedMessage(s.slack, req.id);

    await reload(SLACK_POLICY.replace('minApprovals: 2', 'minApprovals: 3'));
    await waitForReply(
      s.slack,
      ref,
      /now follows its rule customer-export, and needs 3 approvals from data-owners/,
      8000,
    );
    const update = await waitForUpdate(s.slack, ref, (content) => content.includes('0 of 3'), 8000);
    expect(hasButtons(update.args.blocks)).toBe(true);
    await outboxDrained(s.t);
    // Still pending: nobody but the agent's owner would hear of an outcome, and there is none.
    expect(s.slack.callsTo('conversations.open').map((c) => c.args.users)).not.toContain(PEOPLE.erin.id);
    expectNoFailedSlackCalls(s.slack, adminLookup);
  }, 30_000);
});
