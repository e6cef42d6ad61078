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
