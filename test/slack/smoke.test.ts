import { expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import { buttonClick, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

it('posts a held request and approves it from the button', async () => {
  const agent = await s.t.agentKey('ops-bot', 'erin@example.com');
  const req = await submit(s.t, agent, { action: 'terraform.apply', environment: 'prod' });
  const post = await s.slack.waitFor('chat.postMessage');
  const channel = String(post.response.channel);
  const ts = String(post.response.ts);
  const res = await postToSlackEvents(
    s.t,
    buttonClick(s.slack, 'bob', 'countersign.approve', req.id, { channel, ts }),
  );
  expect(res.status).toBe(200);
  await s.slack.waitFor('chat.update', (c) => JSON.stringify(c.args).includes('Approved'));
});
