import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import { auditOf, fetchRequest, postedMessage, waitForResponse } from './slack-flows';
import {
  buttonPayload,
  postToSlackEvents,
  type SlackTest,
  slashCommand,
  startSlackTest,
} from './slack-harness';

// U+212A KELVIN SIGN: "Kim@example.com".toLowerCase() === "kim@example.com".
const KELVIN_KIM = '\u212Aim@example.com';
const KIM = { id: 'U0KIM', email: 'kim@example.com' };
const IMPOSTOR = { id: 'U0KELVIN', email: KELVIN_KIM };

const POLICY = `
version: 1
groups:
  sre: [kim@example.com, bob@example.com]
default: { effect: review, approvers: [sre] }
`;

let s: SlackTest;
beforeEach(async () => {
  s = await startSlackTest({ policy: POLICY });
  s.slack.addUser({ ...KIM, name: 'kim' });
  s.slack.addUser({ ...IMPOSTOR, name: 'kim2' });
});
afterEach(async () => {
  await s.stop();
});

const click = (userId: string, requestId: string, ref: { channel: string; ts: string }) => {
  const payload = buttonPayload(s.slack, 'bob', 'countersign.approve', requestId, ref);
  payload.user = { id: userId, username: 'kim', name: 'kim', team_id: 'T0TEST' };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postToSlackEvents(s.t, { contentType: 'application/x-www-form-urlencoded', body });
};

describe('a look-alike Slack profile email is no usable identity', () => {
  it('refuses the Kelvin-sign kim in words, decides nothing, and the real kim still approves', async () => {
    const agent = await s.t.agentKey('ops-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'terraform.apply', environment: 'prod' });
    const ref = await postedMessage(s.slack, req.id);

    expect((await click(IMPOSTOR.id, req.id, ref)).status).toBe(200);
    const told = await s.slack.waitFor('chat.postEphemeral', (c) => c.args.user === IMPOSTOR.id);
    expect(String(told.args.text)).toMatch(/can't use the email on your Slack profile.*no usable identity/);
    expect(String(told.args.text)).toMatch(/Nothing was decided/);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
    expect((await auditOf(s.t, req.id)).map((e) => e.type)).not.toContain('review.recorded');

    expect((await click(KIM.id, req.id, ref)).status).toBe(200);
    await expect
      .poll(async () => (await auditOf(s.t, req.id)).filter((e) => e.type === 'review.recorded'))
      .toHaveLength(1);
    const [review] = (await auditOf(s.t, req.id)).filter((e) => e.type === 'review.recorded');
    expect(review?.actor).toBe('user:kim@example.com');
  });

  it('gives the Kelvin-sign kim no pairing code for kim’s browser', async () => {
    const command = slashCommand(s.slack, 'bob', '/approvals', 'connect');
    const fields = new URLSearchParams(command.body);
    fields.set('user_id', IMPOSTOR.id);
    const res = await postToSlackEvents(s.t, { ...command, body: fields.toString() });
    expect(res.status).toBe(200);
    const reply = await waitForResponse(s.slack, command.responseUrlId);
    expect(reply).toMatch(/no usable identity/);
    expect(reply).not.toMatch(/pairing code/i);
  });
});
