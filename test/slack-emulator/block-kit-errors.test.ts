import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from './index';
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
const message = (...blocks: unknown[]) => ({ channel: 'C1', text: 'fallback', blocks });
const modal = (extra: Record<string, unknown>) => ({
  trigger_id: 't',
  view: { type: 'modal', title: plain('Title'), blocks: [], ...extra },
});

describe('error shapes', () => {
  it('chat.* answer invalid_blocks with errors and [ERROR] messages, like Slack', async () => {
    const { body } = await callApi(
      slack,
      'chat.postMessage',
      message({ type: 'section', text: mrkdwn('x'.repeat(3001)) }),
    );
    expect(body).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      response_metadata: {
        messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      },
    });
  });

  it('views.* answer invalid_arguments with [ERROR] messages under /view', async () => {
    const { body } = await callApi(slack, 'views.open', modal({ title: plain('x'.repeat(25)) }));
    expect(body).toEqual({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: {
        messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
      },
    });
  });

  it('chat.update and chat.postEphemeral validate blocks too', async () => {
    const posted = await callApi(slack, 'chat.postMessage', { channel: 'C1', text: 'x' });
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const update = await callApi(slack, 'chat.update', {
      channel: 'C1',
      ts: posted.body.ts,
      blocks: tooMany,
    });
    const ephemeral = await callApi(slack, 'chat.postEphemeral', {
      channel: 'C1',
      user: 'U1',
      blocks: tooMany,
    });
    expect(update.body.error).toBe('invalid_blocks');
    expect(ephemeral.body.error).toBe('invalid_blocks');
  });

  it('answers invalid_blocks_format when blocks is not JSON', async () => {
    const { body } = await callApi(slack, 'chat.postMessage', {
      channel: 'C1',
      text: 'x',
      blocks: '[{"type":',
    });
    expect(body.error).toBe('invalid_blocks_format');
  });
});
