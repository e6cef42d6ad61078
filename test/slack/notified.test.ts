import type { ActionRequest } from '@countersign/shared';
import { afterEach, expect, it } from 'vitest';
import { startTestServer, submit, type TestServer } from '../../server/test/harness';
import { type SlackTest, startSlackTest } from './slack-harness';

// ActionRequest.notified: the server says where reviewers were told, so `countersign exec` and the SDK
// never claim a Slack post that was not made.

let s: SlackTest | undefined;
let bare: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  await bare?.stop();
  s = undefined;
  bare = undefined;
});

let agents = 0;
async function held(t: TestServer, action: string): Promise<ActionRequest> {
  agents += 1;
  const agent = await t.agentKey(`ops-bot-${agents}`, 'erin@example.com');
  const submitted = await submit(t, agent, { action, environment: 'prod' });
  const read = await t.call<ActionRequest>('GET', `/v1/actions/${submitted.id}`, { key: agent });
  expect(read.status).toBe(200);
  return read.body;
}

it('names the Slack channel: the rule channel, else SLACK_APPROVALS_CHANNEL', async () => {
  s = await startSlackTest();
  expect((await held(s.t, 'terraform.apply')).notified).toEqual([
    { transport: 'slack', channel: '#ops-approvals' },
  ]);
  expect((await held(s.t, 'db.export')).notified).toEqual([
    { transport: 'slack', channel: '#data-approvals' },
  ]);
  // Allowed by policy: nobody was asked, so there is nothing to say.
  expect((await held(s.t, 'crm.getCustomer')).notified).toBeUndefined();
});

it('is empty when the bot has no channel to post to', async () => {
  s = await startSlackTest({ env: { SLACK_APPROVALS_CHANNEL: '' } });
  expect((await held(s.t, 'terraform.apply')).notified).toEqual([]);
});

it('is empty when no chat transport is configured', async () => {
  bare = await startTestServer();
  expect((await held(bare, 'terraform.apply')).notified).toEqual([]);
});
