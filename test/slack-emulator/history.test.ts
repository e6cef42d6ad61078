import { afterEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from './index';
import { callApi } from './web-api-client';

let slack: SlackEmulator | undefined;
afterEach(async () => {
  await slack?.stop();
  slack = undefined;
});

const metadata = (id: string) => ({ event_type: 'countersign_request', event_payload: { action_id: id } });
const tsList = (body: { messages?: unknown }) =>
  (Array.isArray(body.messages) ? body.messages : []).map((m: { ts: string }) => m.ts);

describe('conversations.history', () => {
  it('pages newest first by cursor and limit, from oldest (exclusive), without thread replies or deleted messages', async () => {
    slack = await startSlackEmulator();
    const posted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await callApi(slack, 'chat.postMessage', { channel: 'C1', text: `m${i}` });
      posted.push(String(body.ts));
    }
    await callApi(slack, 'chat.postMessage', { channel: 'C1', text: 'reply', thread_ts: posted[0] });
    await callApi(slack, 'chat.postMessage', { channel: 'C2', text: 'elsewhere' });
    await callApi(slack, 'chat.delete', { channel: 'C1', ts: posted[4] });

    const first = await callApi(slack, 'conversations.history', {
      channel: 'C1',
      oldest: posted[0],
      limit: 2,
    });
    expect(first.body).toMatchObject({ ok: true, has_more: true });
    expect(tsList(first.body)).toEqual([posted[3], posted[2]]);
    const cursor = (first.body.response_metadata as { next_cursor: string }).next_cursor;
    expect(cursor).not.toBe('');
    const second = await callApi(slack, 'conversations.history', {
      channel: 'C1',
      oldest: posted[0],
      limit: 2,
      cursor,
    });
    expect(tsList(second.body)).toEqual([posted[1]]);
    expect(second.body).toMatchObject({ has_more: false, response_metadata: { next_cursor: '' } });

    const inclusive = await callApi(slack, 'conversations.history', {
      channel: 'C1',
      oldest: posted[0],
      inclusive: true,
    });
    expect(tsList(inclusive.body)).toEqual([posted[3], posted[2], posted[1], posted[0]]);
    const bad = await callApi(slack, 'conversations.history', { channel: 'C1', cursor: 'bm9wZQ==' });
    expect(bad.body).toMatchObject({ ok: false, error: 'invalid_cursor' });
  });

  it('returns chat.postMessage metadata only with include_all_metadata', async () => {
    slack = await startSlackEmulator();
    await callApi(slack, 'chat.postMessage', { channel: 'C1', text: 'req', metadata: metadata('act_1') });
    const without = await callApi(slack, 'conversations.history', { channel: 'C1' });
    expect((without.body.messages as object[])[0]).not.toHaveProperty('metadata');
    const withAll = await callApi(slack, 'conversations.history', {
      channel: 'C1',
      include_all_metadata: true,
    });
    expect((withAll.body.messages as object[])[0]).toMatchObject({ metadata: metadata('act_1') });
    const malformed = await callApi(slack, 'chat.postMessage', {
      channel: 'C1',
      text: 'x',
      metadata: { event_type: 'e' },
    });
    expect(malformed.body).toMatchObject({ ok: false, error: 'invalid_metadata_format' });
  });

  it('answers missing_scope without channels:history (public) or groups:history (private)', async () => {
    slack = await startSlackEmulator({ botScopes: ['chat:write', 'groups:history'] });
    const pub = await callApi(slack, 'conversations.history', { channel: 'C1' });
    expect(pub.body).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'channels:history',
      provided: 'chat:write,groups:history',
    });
    const priv = await callApi(slack, 'conversations.history', { channel: 'G1' });
    expect(priv.body.ok).toBe(true);
    const noToken = await callApi(slack, 'conversations.history', { channel: 'C1' }, { token: null });
    expect(noToken.body).toMatchObject({ ok: false, error: 'not_authed' });
  });
});
