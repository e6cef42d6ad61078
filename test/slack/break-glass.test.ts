import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  expectNoFailedSlackCalls,
  outboxDrained,
  postedMessage,
  waitForDm,
  waitForReply,
} from './slack-flows';
import { useSlackTest } from './slack-harness';

// Issue 16: a break-glass is broadcast at once to the rule's channels and to every approver by DM, and
// threaded under the request; the follow-up's sign-off is threaded too. Real Bolt app, Slack emulator.
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: prod-fix
    match: { action: "prod.*" }
    effect: review
    approvers: [sre]
    channel: "#ops-approvals"
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
default: { effect: deny, reason: no }
`;

const s = useSlackTest({ policy: POLICY });
const REASON = 'Payments are down and no approver answers the page at 03:00.';

describe('break-glass in Slack', () => {
  it('posts to #security, DMs every approver, threads the break-glass and its sign-off', async () => {
    const agent = await s.t.agentKey('ops-bot', 'carol@example.com');
    const req = await submit(s.t, agent, { action: 'prod.restartPayments' });
    const ref = await postedMessage(s.slack, req.id);
    const broken = await s.t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: agent,
      body: { reason: REASON },
    });
    expect(broken.status).toBe(200);

    const loud =
      /:rotating_light: \*Break-glass\*: agent:ops-bot approved their own request `prod.restartPayments`.*Payments are down/;
    await waitForReply(s.slack, ref, loud);
    const inSecurity = await s.slack.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === '#security' && loud.test(String(c.args.text)),
      5000,
    );
    expect(String(inSecurity.args.text)).toContain('Follow-up review due');
    await waitForDm(s.slack, 'alice', loud);
    await waitForDm(s.slack, 'bob', loud);

    const alice = await s.t.userKey('alice@example.com', ['reviews:write']);
    const signed = await s.t.call('POST', `/v1/actions/${req.id}/follow-up`, {
      key: alice,
      body: { decision: 'sign_off', comment: 'fair call' },
    });
    expect(signed.status).toBe(200);
    await waitForReply(s.slack, ref, /:white_check_mark: <@U0ALICE> signed off the break-glass: “fair call”/);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });
});
