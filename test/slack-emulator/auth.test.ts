import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from './index';
import { callApi } from './web-api-client';

let slack: SlackEmulator;
beforeEach(async () => {
  slack = await startSlackEmulator();
});
afterEach(async () => {
  await slack.stop();
});

describe('server and auth', () => {
  it('serves the Web API under an /api/ base URL on 127.0.0.1', () => {
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers auth.test with the workspace and bot identity', async () => {
    const { status, body } = await callApi(slack, 'auth.test');
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      url: 'https://countersign-test.slack.com/',
      team: 'Countersign Test',
      user: 'countersign',
      team_id: 'T00000001',
      user_id: 'U0000BOT1',
      bot_id: 'B00000001',
      is_enterprise_install: false,
    });
  });

  it('rejects an unknown token with HTTP 200 invalid_auth, and a missing one with not_authed', async () => {
    const wrong = await callApi(
      slack,
      'chat.postMessage',
      { channel: 'C1', text: 'x' },
      { token: 'xoxb-nope' },
    );
    expect([wrong.status, wrong.body]).toEqual([200, { ok: false, error: 'invalid_auth' }]);
    const none = await callApi(slack, 'auth.test', {}, { token: null });
    expect(none.body).toEqual({ ok: false, error: 'not_authed' });
    expect(slack.messages).toHaveLength(0);
  });

  it('accepts the token as a form field too, and keeps it out of the recorded args', async () => {
    const { body } = await callApi(slack, 'auth.test', { token: 'xoxb-test', foo: 'bar' }, { token: null });
    expect(body.ok).toBe(true);
    expect(slack.calls[0]?.args).toEqual({ foo: 'bar' });
    expect(slack.calls[0]?.token).toBe('xoxb-test');
  });

  it('accepts a custom bot token and refuses the default one', async () => {
    const custom = await startSlackEmulator({ botToken: 'xoxb-custom' });
    try {
      expect((await callApi(custom, 'auth.test')).body.ok).toBe(true);
      expect((await callApi(custom, 'auth.test', {}, { token: 'xoxb-test' })).body.error).toBe(
        'invalid_auth',
      );
    } finally {
      await custom.stop();
    }
  });

  it('answers unknown methods with unknown_method', async () => {
    const { status, body } = await callApi(slack, 'chat.frobnicate');
    expect([status, body]).toEqual([200, { ok: false, error: 'unknown_method' }]);
  });
});

describe('apps.connections.open', () => {
  it('hands a Socket Mode URL to the app token and refuses the bot token', async () => {
    const { body } = await callApi(slack, 'apps.connections.open', {}, { token: 'xapp-test' });
    expect(body.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A00000001$/);
    expect((await callApi(slack, 'apps.connections.open')).body.error).toBe('not_allowed_token_type');
  });
});
