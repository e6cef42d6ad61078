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

const post = () => callApi(slack, 'chat.postMessage', { channel: 'C1', text: 'approve?' });

describe('failNext', () => {
  it('answers 429 with a Retry-After header, then recovers', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    expect(slack.messages).toHaveLength(0);
    const retried = await post();
    expect([retried.status, retried.body.ok]).toEqual([200, true]);
    expect(slack.messages).toHaveLength(1);
  });

  it('answers HTTP 500 without handling the call', async () => {
    slack.failNext('chat.postMessage', { status: 500 });
    const failed = await post();
    expect(failed.status).toBe(500);
    expect(failed.body.ok).toBe(false);
    expect(slack.messages).toHaveLength(0);
  });

  it('answers a Slack error code with HTTP 200', async () => {
    slack.failNext('chat.update', { error: 'ratelimited' });
    const { status, body } = await callApi(slack, 'chat.update', { channel: 'C1', ts: '1.0', text: 'x' });
    expect([status, body]).toEqual([200, { ok: false, error: 'ratelimited' }]);
  });

  it('fails exactly count calls, only to that method', async () => {
    slack.failNext('chat.postMessage', { status: 503 }, 2);
    expect((await callApi(slack, 'auth.test')).status).toBe(200);
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(200);
  });

  it('records failed calls with the status and body they got', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await post();
    await post();
    expect(slack.callsTo('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(slack.callsTo('chat.postMessage')[0]?.response).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('fails response_url posts too', async () => {
    const url = slack.responseUrl('r1');
    slack.failNext('response_url', { status: 500 });
    expect((await postToResponseUrl(url, { text: 'done' })).status).toBe(500);
    expect((await postToResponseUrl(url, { text: 'done' })).status).toBe(200);
  });

  it('refuses a fault that Slack could not produce', () => {
    expect(() => slack.failNext('chat.postMessage', { status: 429, retryAfter: 1.5 })).toThrow(
      /whole number/,
    );
    expect(() => slack.failNext('chat.postMessage', { status: 500 }, 0)).toThrow(/positive integer/);
  });
});
