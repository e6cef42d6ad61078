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

describe('views', () => {
  const modal = (title: string) => ({
    type: 'modal',
    title: { type: 'plain_text', text: title },
    blocks: [],
  });

  it('views.open returns the view with an id and a hash', async () => {
    const { body } = await callApi(slack, 'views.open', {
      trigger_id: '123.456',
      view: modal('Deny request'),
    });
    expect(body).toMatchObject({
      ok: true,
      view: { type: 'modal', title: { text: 'Deny request' }, team_id: 'T00000001' },
    });
    expect(path(body, 'view.id')).toMatch(/^V/);
    expect(path(body, 'view.hash')).toEqual(expect.any(String));
    expect((await callApi(slack, 'views.open', { view: modal('x') })).body.error).toBe('invalid_arguments');
  });

  it('views.update replaces the view and refuses a stale hash', async () => {
    const opened = await callApi(slack, 'views.open', { trigger_id: 't', view: modal('One') });
    const id = path(opened.body, 'view.id');
    const stale = await callApi(slack, 'views.update', { view_id: id, hash: 'stale', view: modal('Two') });
    expect(stale.body.error).toBe('hash_conflict');
    const hash = path(opened.body, 'view.hash');
    const { body } = await callApi(slack, 'views.update', { view_id: id, hash, view: modal('Two') });
    expect(body).toMatchObject({ ok: true, view: { id, title: { text: 'Two' } } });
    expect(slack.view(String(id))?.revisions).toBe(2);
    expect((await callApi(slack, 'views.update', { view_id: 'V404', view: modal('x') })).body.error).toBe(
      'not_found',
    );
  });

  it('views.publish publishes a home tab per user', async () => {
    slack.addUser({ id: 'U1', email: 'ada@example.com' });
    const home = { type: 'home', blocks: [section('Pending: 2')] };
    const first = await callApi(slack, 'views.publish', { user_id: 'U1', view: home });
    const again = await callApi(slack, 'views.publish', { user_id: 'U1', view: home });
    expect(first.body).toMatchObject({ ok: true, view: { type: 'home', blocks: home.blocks } });
    expect(path(again.body, 'view.id')).toBe(path(first.body, 'view.id'));
    expect((await callApi(slack, 'views.publish', { user_id: 'U1', view: modal('x') })).body.error).toBe(
      'invalid_arguments',
    );
  });
});

describe('directory', () => {
  it('users.info answers the seeded user and user_not_found otherwise', async () => {
    slack.addUser({ id: 'U1', email: 'ada@example.com', name: 'ada', tz: 'Europe/London', tzOffset: 3600 });
    const { body } = await callApi(slack, 'users.info', { user: 'U1' });
    expect(body).toMatchObject({
      ok: true,
      user: {
        id: 'U1',
        name: 'ada',
        real_name: 'ada',
        tz: 'Europe/London',
        profile: { email: 'ada@example.com' },
      },
    });
    expect((await callApi(slack, 'users.info', { user: 'U2' })).body).toEqual({
      ok: false,
      error: 'user_not_found',
    });
  });

  it('users.lookupByEmail finds seeded users', async () => {
    slack.addUser({ id: 'U1', email: 'Ada@Example.com' });
    expect(
      path((await callApi(slack, 'users.lookupByEmail', { email: 'ada@example.com' })).body, 'user.id'),
    ).toBe('U1');
    expect((await callApi(slack, 'users.lookupByEmail', { email: 'x@y.z' })).body.error).toBe(
      'users_not_found',
    );
  });

  it('usergroups.users.list answers the seeded members', async () => {
    slack.addUsergroup({ id: 'S1', handle: 'approvers', users: ['U1', 'U2'] });
    expect((await callApi(slack, 'usergroups.users.list', { usergroup: 'S1' })).body).toEqual({
      ok: true,
      users: ['U1', 'U2'],
    });
    expect((await callApi(slack, 'usergroups.users.list', { usergroup: 'S9' })).body.error).toBe(
      'no_such_subteam',
    );
  });

  it('conversations.open gives a stable DM channel that chat.postMessage to the user id also lands in', async () => {
    slack.addUser({ id: 'U1', email: 'ada@example.com' });
    const opened = await callApi(slack, 'conversations.open', { users: 'U1' });
    expect(path(opened.body, 'channel.id')).toMatch(/^D/);
    const again = await callApi(slack, 'conversations.open', { users: 'U1' });
    expect(path(again.body, 'channel.id')).toBe(path(opened.body, 'channel.id'));
    const posted = await callApi(slack, 'chat.postMessage', { channel: 'U1', text: 'please approve' });
    expect(posted.body.channel).toBe(path(opened.body, 'channel.id'));
    expect((await callApi(slack, 'conversations.open', { users: 'U404' })).body.error).toBe('user_not_found');
  });
});

describe('apps.connections.open', () => {
  it('hands a Socket Mode URL to the app token and refuses the bot token', async () => {
    const { body } = await callApi(slack, 'apps.connections.open', {}, { token: 'xapp-test' });
    expect(body.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A00000001$/);
    expect((await callApi(slack, 'apps.connections.open')).body.error).toBe('not_allowed_token_type');
  });
});
