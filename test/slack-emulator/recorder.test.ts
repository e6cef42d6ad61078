import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from './index';
import { callApi, postToResponseUrl } from './web-api-client';

let slack: SlackEmulator;
beforeEach(async () => {
  slack = await startSlackEmulator();
});
afterEach(async () => {
  await slack.stop();
});

const post = (text: string, channel = 'C1') => callApi(slack, 'chat.postMessage', { channel, text });

describe('calls', () => {
  it('records method, parsed args, token and time for every call', async () => {
    const before = new Date();
    await callApi(slack, 'chat.postMessage', { channel: 'C1', text: 'hi', blocks: [{ type: 'divider' }] });
    await callApi(slack, 'auth.test', {}, { token: 'xoxb-wrong' });
    expect(slack.calls.map((call) => call.method)).toEqual(['chat.postMessage', 'auth.test']);
    const [posted, auth] = slack.calls;
    expect(posted?.args).toEqual({ channel: 'C1', text: 'hi', blocks: [{ type: 'divider' }] });
    expect(posted?.token).toBe('xoxb-test');
    expect(posted?.at.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(auth?.response).toEqual({ ok: false, error: 'invalid_auth' });
    expect(slack.callsTo('auth.test')).toHaveLength(1);
  });
});

describe('waitFor', () => {
  it('resolves when a matching call arrives after it started waiting', async () => {
    const waiting = slack.waitFor('chat.postMessage', (call) => call.args.text === 'second');
    await post('first');
    await post('second');
    const call = await waiting;
    expect(call.args.text).toBe('second');
    expect(call.response.ok).toBe(true);
  });

  it('resolves with a call recorded before it was asked', async () => {
    await post('early');
    await expect(slack.waitFor('chat.postMessage')).resolves.toMatchObject({ args: { text: 'early' } });
  });

  it('can wait only for calls after a mark', async () => {
    await post('old');
    const mark = slack.calls.at(-1)?.seq ?? 0;
    const waiting = slack.waitFor('chat.postMessage', (call) => call.seq > mark);
    await post('new');
    await expect(waiting).resolves.toMatchObject({ args: { text: 'new' } });
  });

  it('rejects after the timeout, naming what it saw', async () => {
    await post('not it');
    await expect(slack.waitFor('chat.postMessage', (call) => call.args.text === 'it', 50)).rejects.toThrow(
      /no matching chat\.postMessage call within 50 ms; 1 call\(s\).*not it/,
    );
  });
});

describe('messages', () => {
  it('tracks chat.update edits as revisions of the posted message', async () => {
    const posted = await post('Pending approval');
    const ts = String(posted.body.ts);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Approved by <@U1>' } }];
    await callApi(slack, 'chat.update', { channel: 'C1', ts, text: 'Approved', blocks });
    const message = slack.message('C1', ts);
    expect(message).toMatchObject({
      channel: 'C1',
      ts,
      text: 'Approved',
      blocks,
      deleted: false,
      user: 'U0000BOT1',
    });
    expect(message?.revisions.map((revision) => [revision.via, revision.text])).toEqual([
      ['chat.postMessage', 'Pending approval'],
      ['chat.update', 'Approved'],
    ]);
    expect(slack.messages).toHaveLength(1);
  });

  it('applies replace_original and delete_original posted to a response_url bound to a message', async () => {
    const posted = await post('Pending');
    const ts = String(posted.body.ts);
    const url = slack.responseUrl('act-1', { channel: 'C1', ts });
    const replaced = await postToResponseUrl(url, { replace_original: true, text: 'Denied' });
    expect([replaced.status, replaced.body]).toEqual([200, { ok: true }]);
    expect(slack.message('C1', ts)?.text).toBe('Denied');
    await postToResponseUrl(url, { delete_original: true });
    expect(slack.message('C1', ts)?.deleted).toBe(true);
    const recorded = slack.callsTo('response_url');
    expect(recorded.map((call) => [call.responseUrlId, call.args.text])).toEqual([
      ['act-1', 'Denied'],
      ['act-1', undefined],
    ]);
  });

  it('refuses response_urls it never handed out, and bad blocks posted to one', async () => {
    const unknown = await postToResponseUrl(`${slack.origin}/response-url/nope`, { text: 'x' });
    expect(unknown.status).toBe(404);
    const url = slack.responseUrl('r1');
    const bad = await postToResponseUrl(url, {
      blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }],
    });
    expect([bad.status, bad.body.error]).toEqual([400, 'invalid_blocks']);
  });
});

describe('reset', () => {
  it('forgets calls, messages, seeds and faults', async () => {
    slack.addUser({ id: 'U1', email: 'ada@example.com' });
    slack.failNext('auth.test', { status: 500 }, 3);
    await post('x');
    slack.reset();
    expect(slack.calls).toHaveLength(0);
    expect(slack.messages).toHaveLength(0);
    expect((await callApi(slack, 'users.info', { user: 'U1' })).body.error).toBe('user_not_found');
    expect((await callApi(slack, 'auth.test')).status).toBe(200);
  });
});
