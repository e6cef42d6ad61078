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
