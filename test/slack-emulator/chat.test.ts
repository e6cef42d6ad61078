import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from './index';
import { callApi, path } from './web-api-client';

let slack: SlackEmulator;
beforeEach(async () => {
  slack = await startSlackEmulator();
});
afterEach(async () => {
  await slack.stop();
});

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('chat', () => {
  it('posts a form-encoded message with JSON-string blocks and answers channel, ts and message', async () => {
    const blocks = [section('*Approve* deploy?')];
    const { body } = await callApi(slack, 'chat.postMessage', { channel: 'C123', text: 'Approve?', blocks });
    expect(body).toMatchObject({
      ok: true,
      channel: 'C123',
      message: { type: 'message', text: 'Approve?', blocks },
    });
    expect(body.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(path(body, 'message.ts')).toBe(body.ts);
    const [call] = slack.callsTo('chat.postMessage');
    expect(call?.contentType).toBe('form');
    expect(call?.args.blocks).toEqual(blocks);
  });

  it('accepts JSON bodies too', async () => {
    const { body } = await callApi(slack, 'chat.postMessage', { channel: 'C1', text: 'hi' }, { json: true });
    expect(body.ok).toBe(true);
    expect(slack.callsTo('chat.postMessage')[0]?.contentType).toBe('json');
  });

  it('gives every message a unique, increasing ts', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        callApi(slack, 'chat.postMessage', { channel: 'C1', text: `m${i}` }),
      ),
    );
    const tss = slack.messages.map((m) => m.ts);
    expect(new Set(tss).size).toBe(20);
    expect([...tss].sort()).toEqual(tss);
    expect(results.every((r) => r.body.ok === true)).toBe(true);
  });

  it('needs a channel and something to show', async () => {
    expect((await callApi(slack, 'chat.postMessage', { text: 'x' })).body.error).toBe('channel_not_found');
    expect((await callApi(slack, 'chat.postMessage', { channel: 'C1' })).body.error).toBe('no_text');
  });

  it('resolves #names to a stable channel id and rejects unknown channels when strict', async () => {
    const first = await callApi(slack, 'chat.postMessage', { channel: '#approvals', text: 'a' });
    const second = await callApi(slack, 'chat.postMessage', { channel: '#approvals', text: 'b' });
    expect(first.body.channel).toMatch(/^C/);
    expect(second.body.channel).toBe(first.body.channel);
    const strict = await startSlackEmulator({ strictChannels: true });
    try {
      strict.addChannel({ id: 'C0KNOWN', name: 'approvals' });
      expect((await callApi(strict, 'chat.postMessage', { channel: 'C0OTHER', text: 'x' })).body.error).toBe(
        'channel_not_found',
      );
      expect(
        (await callApi(strict, 'chat.postMessage', { channel: '#approvals', text: 'x' })).body.channel,
      ).toBe('C0KNOWN');
    } finally {
      await strict.stop();
    }
  });

  it('chat.update edits the stored message and answers the new text', async () => {
    const posted = await callApi(slack, 'chat.postMessage', {
      channel: 'C1',
      text: 'pending',
      blocks: [section('a')],
    });
    const { body } = await callApi(slack, 'chat.update', {
      channel: 'C1',
      ts: posted.body.ts,
      text: 'approved',
    });
    expect(body).toMatchObject({ ok: true, channel: 'C1', ts: posted.body.ts, text: 'approved' });
    const message = slack.message('C1', String(posted.body.ts));
    expect(message?.text).toBe('approved');
    expect(message?.blocks).toEqual([section('a')]);
    const missing = await callApi(slack, 'chat.update', { channel: 'C1', ts: '1.000000', text: 'x' });
    expect(missing.body.error).toBe('message_not_found');
  });

  it('chat.postEphemeral answers message_ts for a known user and user_not_in_channel otherwise', async () => {
    slack.addUser({ id: 'U1', email: 'ada@example.com' });
    const { body } = await callApi(slack, 'chat.postEphemeral', {
      channel: 'C1',
      user: 'U1',
      text: 'only you',
    });
    expect(body).toEqual({ ok: true, message_ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    const stranger = await callApi(slack, 'chat.postEphemeral', { channel: 'C1', user: 'U9', text: 'x' });
    expect(stranger.body.error).toBe('user_not_in_channel');
    expect(slack.messages).toHaveLength(0);
  });
});
