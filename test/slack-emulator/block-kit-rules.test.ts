import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_KIT_LIMITS, type SlackEmulator, startSlackEmulator } from './index';
import { callApi } from './web-api-client';

let slack: SlackEmulator;
beforeAll(async () => {
  slack = await startSlackEmulator();
  slack.addUser({ id: 'U1', email: 'ada@example.com' });
});
afterAll(async () => {
  await slack.stop();
});

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const button = (actionId: string) => ({ type: 'button', text: plain('Go'), action_id: actionId });
const message = (...blocks: unknown[]) => ({ channel: 'C1', text: 'fallback', blocks });
const modal = (extra: Record<string, unknown>) => ({
  trigger_id: 't',
  view: { type: 'modal', title: plain('Title'), blocks: [], ...extra },
});
const textInput = { type: 'plain_text_input', action_id: 'reason' };

describe('the limits table', () => {
  it('cites an https source for every rule', () => {
    expect(BLOCK_KIT_LIMITS.length).toBeGreaterThan(30);
    for (const rule of BLOCK_KIT_LIMITS)
      expect(rule.source, `${rule.target}.${rule.field}`).toMatch(/^https:\/\//);
  });
});

describe('structural rules', () => {
  it('header text must be plain_text', async () => {
    expect(
      (await callApi(slack, 'chat.postMessage', message({ type: 'header', text: plain('Hi') }))).body.ok,
    ).toBe(true);
    const { body } = await callApi(
      slack,
      'chat.postMessage',
      message({ type: 'header', text: mrkdwn('*Hi*') }),
    );
    expect(JSON.stringify(body)).toContain(
      'must be a plain_text text object [json-pointer:/blocks/0/text/type]',
    );
  });

  it('button text must be plain_text', async () => {
    const blocks = { type: 'actions', elements: [{ type: 'button', text: mrkdwn('Go'), action_id: 'go' }] };
    expect((await callApi(slack, 'chat.postMessage', message(blocks))).body.error).toBe('invalid_blocks');
  });

  it('section text must not be empty', async () => {
    const { body } = await callApi(slack, 'chat.postMessage', message({ type: 'section', text: mrkdwn('') }));
    expect(JSON.stringify(body)).toContain(
      'must be more than 0 characters [json-pointer:/blocks/0/text/text]',
    );
  });

  it('block_id must be unique within the message', async () => {
    const ok = await callApi(
      slack,
      'chat.postMessage',
      message({ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'b' }),
    );
    expect(ok.body.ok).toBe(true);
    const { body } = await callApi(
      slack,
      'chat.postMessage',
      message({ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' }),
    );
    expect(body.errors).toEqual(['`block_id` "a" already exists [json-pointer:/blocks/1/block_id]']);
  });

  it('action_id must be unique within its block, and may repeat across blocks', async () => {
    const twice = { type: 'actions', elements: [button('approve'), button('approve')] };
    const { body } = await callApi(slack, 'chat.postMessage', message(twice));
    expect(body.errors).toEqual([
      '`action_id` "approve" already exists [json-pointer:/blocks/0/elements/1/action_id]',
    ]);
    const acrossBlocks = message(
      { type: 'section', text: mrkdwn('req 1'), accessory: button('approve') },
      { type: 'section', text: mrkdwn('req 2'), accessory: button('approve') },
    );
    expect((await callApi(slack, 'chat.postMessage', acrossBlocks)).body.ok).toBe(true);
  });

  it('input blocks need a label and an element', async () => {
    const noLabel = await callApi(
      slack,
      'views.open',
      modal({ submit: plain('OK'), blocks: [{ type: 'input', element: textInput }] }),
    );
    expect(JSON.stringify(noLabel.body)).toContain(
      'missing required field: label [json-pointer:/view/blocks/0]',
    );
    const noElement = await callApi(
      slack,
      'views.open',
      modal({ submit: plain('OK'), blocks: [{ type: 'input', label: plain('Why') }] }),
    );
    expect(JSON.stringify(noElement.body)).toContain(
      'missing required field: element [json-pointer:/view/blocks/0]',
    );
  });

  it('a modal with an input block needs submit', async () => {
    const blocks = [{ type: 'input', label: plain('Why'), element: textInput }];
    expect((await callApi(slack, 'views.open', modal({ blocks }))).body.error).toBe('invalid_arguments');
    expect((await callApi(slack, 'views.open', modal({ blocks, submit: plain('Deny') }))).body.ok).toBe(true);
  });

  it('a modal needs a title, and a view type must be modal or home', async () => {
    const noTitle = await callApi(slack, 'views.open', {
      trigger_id: 't',
      view: { type: 'modal', blocks: [] },
    });
    expect(JSON.stringify(noTitle.body)).toContain('missing required field: title [json-pointer:/view]');
    const dialog = await callApi(slack, 'views.open', {
      trigger_id: 't',
      view: { type: 'dialog', blocks: [] },
    });
    expect(JSON.stringify(dialog.body)).toContain('must be one of: modal, home [json-pointer:/view/type]');
  });

  it('plain_text_input max_length must be at least 1', async () => {
    const element = { ...textInput, max_length: 0 };
    const { body } = await callApi(
      slack,
      'views.open',
      modal({ submit: plain('OK'), blocks: [{ type: 'input', label: plain('Why'), element }] }),
    );
    expect(body.error).toBe('invalid_arguments');
  });

  const inputWith = (element: Record<string, unknown>) => [{ type: 'input', label: plain('Why'), element }];
  it.each([
    [
      'a view needs blocks',
      'views.open',
      { trigger_id: 't', view: { type: 'modal', title: plain('T') } },
      'missing required field: blocks [json-pointer:/view]',
    ],
    [
      'a modal title must be plain_text',
      'views.open',
      modal({ title: mrkdwn('T') }),
      'must be a plain_text text object [json-pointer:/view/title/type]',
    ],
    [
      'submit must be plain_text',
      'views.open',
      modal({ submit: mrkdwn('OK') }),
      '[json-pointer:/view/submit/type]',
    ],
    [
      'close must be plain_text',
      'views.open',
      modal({ close: mrkdwn('No') }),
      '[json-pointer:/view/close/type]',
    ],
    [
      'a block needs a type',
      'chat.postMessage',
      message({ block_id: 'b' }),
      'missing required field: type [json-pointer:/blocks/0]',
    ],
    [
      'a header needs text',
      'chat.postMessage',
      message({ type: 'header' }),
      'missing required field: text [json-pointer:/blocks/0]',
    ],
    [
      'an input label must be plain_text',
      'views.open',
      modal({ submit: plain('OK'), blocks: [{ type: 'input', label: mrkdwn('Why'), element: textInput }] }),
      '[json-pointer:/view/blocks/0/label/type]',
    ],
    [
      'a button needs text',
      'chat.postMessage',
      message({ type: 'actions', elements: [{ type: 'button', action_id: 'go' }] }),
      'missing required field: text [json-pointer:/blocks/0/elements/0]',
    ],
    [
      'plain_text_input min_length is at most 3000',
      'views.open',
      modal({ submit: plain('OK'), blocks: inputWith({ ...textInput, min_length: 3001 }) }),
      'must be an integer between 0 and 3000 [json-pointer:/view/blocks/0/element/min_length]',
    ],
  ])('%s', async (_name, method, args, expected) => {
    const { body } = await callApi(slack, method, args);
    expect(body.ok).toBe(false);
    expect(JSON.stringify(body)).toContain(expected);
  });

  it('plain_text_input min_length may be 3000', async () => {
    const blocks = inputWith({ ...textInput, min_length: 3000 });
    expect((await callApi(slack, 'views.open', modal({ submit: plain('OK'), blocks }))).body.ok).toBe(true);
  });

  it('counts characters, not UTF-16 code units', async () => {
    const emoji = '😀'.repeat(3000);
    expect(
      (await callApi(slack, 'chat.postMessage', message({ type: 'section', text: mrkdwn(emoji) }))).body.ok,
    ).toBe(true);
  });
});
