import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from './index';
import { callApi } from './web-api-client';

// One emulator for the file: these tests only post, and every assertion reads the answer to its own call.
let slack: SlackEmulator;
beforeAll(async () => {
  slack = await startSlackEmulator();
  slack.addUser({ id: 'U1', email: 'ada@example.com' });
});
afterAll(async () => {
  await slack.stop();
});

const chars = (n: number) => 'x'.repeat(n);
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const button = (extra: Record<string, unknown> = {}) => ({
  type: 'button',
  text: plain('Go'),
  action_id: 'go',
  ...extra,
});
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });
const message = (...blocks: unknown[]) => ({ channel: 'C1', text: 'fallback', blocks });
const modal = (extra: Record<string, unknown> = {}) => ({
  trigger_id: 't',
  view: { type: 'modal', title: plain('Title'), blocks: [], ...extra },
});
const input = (extra: Record<string, unknown> = {}) => ({
  type: 'input',
  label: plain('Reason'),
  element: { type: 'plain_text_input', action_id: 'reason' },
  ...extra,
});

interface LimitCase {
  name: string;
  method: 'chat.postMessage' | 'views.open' | 'views.publish';
  max: number;
  build: (n: number) => Record<string, unknown>;
  /** Where Slack points at the violation; undefined for errors without a pointer (msg_too_long). */
  pointer: string | undefined;
}

const cases: LimitCase[] = [
  {
    name: 'blocks in a message',
    method: 'chat.postMessage',
    max: 50,
    build: (n) => message(...Array.from({ length: n }, () => ({ type: 'divider' }))),
    pointer: '/blocks',
  },
  {
    name: 'message text',
    method: 'chat.postMessage',
    max: 40_000,
    build: (n) => ({ channel: 'C1', text: chars(n) }),
    pointer: undefined,
  },
  {
    name: 'section text',
    method: 'chat.postMessage',
    max: 3000,
    build: (n) => message({ type: 'section', text: mrkdwn(chars(n)) }),
    pointer: '/blocks/0/text/text',
  },
  {
    name: 'section fields',
    method: 'chat.postMessage',
    max: 10,
    build: (n) => message({ type: 'section', fields: Array.from({ length: n }, () => mrkdwn('f')) }),
    pointer: '/blocks/0/fields',
  },
  {
    name: 'section field text',
    method: 'chat.postMessage',
    max: 2000,
    build: (n) => message({ type: 'section', fields: [mrkdwn(chars(n))] }),
    pointer: '/blocks/0/fields/0/text',
  },
  {
    name: 'header text',
    method: 'chat.postMessage',
    max: 150,
    build: (n) => message({ type: 'header', text: plain(chars(n)) }),
    pointer: '/blocks/0/text/text',
  },
  {
    name: 'context elements',
    method: 'chat.postMessage',
    max: 10,
    build: (n) => message({ type: 'context', elements: Array.from({ length: n }, () => mrkdwn('c')) }),
    pointer: '/blocks/0/elements',
  },
  {
    name: 'actions elements',
    method: 'chat.postMessage',
    max: 25,
    build: (n) => message(actions(...Array.from({ length: n }, (_, i) => button({ action_id: `a${i}` })))),
    pointer: '/blocks/0/elements',
  },
  {
    name: 'button text',
    method: 'chat.postMessage',
    max: 75,
    build: (n) => message(actions(button({ text: plain(chars(n)) }))),
    pointer: '/blocks/0/elements/0/text/text',
  },
  {
    name: 'button value',
    method: 'chat.postMessage',
    max: 2000,
    build: (n) => message(actions(button({ value: chars(n) }))),
    pointer: '/blocks/0/elements/0/value',
  },
  {
    name: 'button url',
    method: 'chat.postMessage',
    max: 3000,
    build: (n) => message(actions(button({ url: `https://e.example/${chars(n - 18)}` }))),
    pointer: '/blocks/0/elements/0/url',
  },
  {
    name: 'action_id',
    method: 'chat.postMessage',
    max: 255,
    build: (n) => message(actions(button({ action_id: chars(n) }))),
    pointer: '/blocks/0/elements/0/action_id',
  },
  {
    name: 'block_id',
    method: 'chat.postMessage',
    max: 255,
    build: (n) => message({ type: 'divider', block_id: chars(n) }),
    pointer: '/blocks/0/block_id',
  },
  {
    name: 'blocks in a modal',
    method: 'views.open',
    max: 100,
    build: (n) => modal({ blocks: Array.from({ length: n }, () => ({ type: 'divider' })) }),
    pointer: '/view/blocks',
  },
  {
    name: 'blocks in a home tab',
    method: 'views.publish',
    max: 100,
    build: (n) => ({
      user_id: 'U1',
      view: { type: 'home', blocks: Array.from({ length: n }, () => ({ type: 'divider' })) },
    }),
    pointer: '/view/blocks',
  },
  {
    name: 'modal title',
    method: 'views.open',
    max: 24,
    build: (n) => modal({ title: plain(chars(n)) }),
    pointer: '/view/title/text',
  },
  {
    name: 'modal submit',
    method: 'views.open',
    max: 24,
    build: (n) => modal({ submit: plain(chars(n)) }),
    pointer: '/view/submit/text',
  },
  {
    name: 'modal close',
    method: 'views.open',
    max: 24,
    build: (n) => modal({ close: plain(chars(n)) }),
    pointer: '/view/close/text',
  },
  {
    name: 'private_metadata',
    method: 'views.open',
    max: 3000,
    build: (n) => modal({ private_metadata: chars(n) }),
    pointer: '/view/private_metadata',
  },
  {
    name: 'callback_id',
    method: 'views.open',
    max: 255,
    build: (n) => modal({ callback_id: chars(n) }),
    pointer: '/view/callback_id',
  },
  {
    name: 'input label',
    method: 'views.open',
    max: 2000,
    build: (n) => modal({ submit: plain('Deny'), blocks: [input({ label: plain(chars(n)) })] }),
    pointer: '/view/blocks/0/label/text',
  },
  {
    name: 'input hint',
    method: 'views.open',
    max: 2000,
    build: (n) => modal({ submit: plain('Deny'), blocks: [input({ hint: plain(chars(n)) })] }),
    pointer: '/view/blocks/0/hint/text',
  },
  {
    name: 'plain_text_input max_length',
    method: 'views.open',
    max: 3000,
    build: (n) =>
      modal({
        submit: plain('Deny'),
        blocks: [input({ element: { type: 'plain_text_input', action_id: 'r', max_length: n } })],
      }),
    pointer: '/view/blocks/0/element/max_length',
  },
];

describe.each(cases)('$name (max $max)', ({ method, max, build, pointer }) => {
  it('accepts the limit', async () => {
    const { body } = await callApi(slack, method, build(max));
    expect(body).toMatchObject({ ok: true });
  });

  it('rejects one over, pointing at the field', async () => {
    const { status, body } = await callApi(slack, method, build(max + 1));
    expect(status).toBe(200);
    if (pointer === undefined) {
      expect(body).toEqual({ ok: false, error: 'msg_too_long' });
      return;
    }
    const error = method === 'chat.postMessage' ? 'invalid_blocks' : 'invalid_arguments';
    expect(body).toMatchObject({ ok: false, error });
    expect(JSON.stringify(body.response_metadata)).toContain(`[json-pointer:${pointer}]`);
  });
});
