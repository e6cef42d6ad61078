import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  expectNoFailedSlackCalls,
  hasButtons,
  outboxDrained,
  postedMessage,
  shown,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

const SECRET_VALUES = ['hunter2-correct-horse', 'AKIAIOSFODNN7EXAMPLE', 'xoxb-1234567890-abcdefghijkl'];

/** Every field at the longest the API takes, params near the body limit, and secrets among them. */
function hugeSubmission(justification: string): Record<string, unknown> {
  const params: Record<string, unknown> = {
    password: SECRET_VALUES[0],
    accessKeyId: SECRET_VALUES[1],
    notify: SECRET_VALUES[2],
  };
  for (let i = 0; i < 400; i += 1) params[`key_${i}`] = `value-${i}-${'v'.repeat(100)}`;
  return {
    action: `${'x'.repeat(190)}.exportAll`,
    resource: `customers/${'r'.repeat(1014)}`,
    environment: 'e'.repeat(64),
    justification,
    params,
  };
}

async function postAndApprove(justification: string): Promise<void> {
  const agent = await s.t.agentKey('bulk-bot', 'erin@example.com');
  const req = await submit(s.t, agent, hugeSubmission(justification));
  // Slack's answer to the first post, so a refusal (invalid_blocks) is reported as such
  const first = await s.slack.waitFor('chat.postMessage', (c) => shown(c.args).includes(req.id));
  expect(first.response.error ?? null, JSON.stringify(first.response.errors)).toBeNull();
  const ref = await postedMessage(s.slack, req.id);
  await postToSlackEvents(s.t, buttonClick(s.slack, 'bob', 'countersign.approve', req.id, ref));
  await waitForUpdate(
    s.slack,
    ref,
    (content, call) => content.includes('Approved by') && !hasButtons(call.args.blocks),
  );
  await outboxDrained(s.t);
  expectNoFailedSlackCalls(s.slack);
  const everything = s.slack.calls.map((c) => shown(c.args)).join('\n');
  for (const secret of SECRET_VALUES) expect(everything).not.toContain(secret);
}

describe('a request at every limit the API allows, through Slack', () => {
  it('is posted, approved and updated without a Block Kit error, and no secret reaches Slack', async () => {
    await postAndApprove('j'.repeat(4000));
  });

  it('is posted even when its 4000-character justification is full of characters mrkdwn must escape', async () => {
    await postAndApprove('a < b && c > d '.repeat(300).slice(0, 4000));
  });
});
