import type { ActionRequest } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postedMessage, threadReplies } from '../slack/slack-flows';
import {
  buttonClick,
  postToSlackEvents,
  type SlackTest,
  slashCommand,
  startSlackTest,
} from '../slack/slack-harness';
import { type ExtensionBrowser, launchWithExtension, settled, start, waitForCard } from './chromium';
import { type FixtureConsole, fixturePolicy, startFixtureConsole } from './fixture-console';

let fixture: FixtureConsole;
let s: SlackTest;
let browser: ExtensionBrowser;

beforeAll(async () => {
  fixture = await startFixtureConsole();
  s = await startSlackTest({ policy: fixturePolicy(fixture.port) });
  browser = await launchWithExtension();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
  await fixture?.stop();
});

async function pairingCode(): Promise<string> {
  const before = s.slack.callsTo('response_url').length;
  const res = await postToSlackEvents(s.t, slashCommand(s.slack, 'dan', '/approvals', 'connect'));
  expect(res.status).toBe(200);
  const reply = await s.slack.waitFor('response_url', () => s.slack.callsTo('response_url').length > before);
  const code = /pairing code is `([0-9A-Z]{5}-[0-9A-Z]{5})`/.exec(JSON.stringify(reply.args))?.[1];
  if (!code) throw new Error(`no pairing code in ${JSON.stringify(reply.args)}`);
  return code;
}

describe('the Slack path end to end: pair with a code from Slack, approve with the button', () => {
  it('holds the console action until an approver clicks Approve in Slack, then sends it once', async () => {
    expect(await browser.pair(s.t.url, await pairingCode())).toBe('Paired as dan@example.com.');

    const page = await browser.context.newPage();
    await page.goto(`${fixture.origin}/console`);
    await start(page, 'assign', 'assignRole("ra-slack")');
    const card = await waitForCard(page, (c) => c.state === 'waiting' && c.text.includes('Approvals 0 of 1'));
    expect(card.text).toContain('#ops-approvals');

    const auditor = await s.t.userKey('erin@example.com', ['audit:read']);
    const list = await s.t.call<{ items: ActionRequest[] }>('GET', '/v1/actions?status=pending', {
      key: auditor,
    });
    const held = list.body.items.find((r) => r.resource?.endsWith('ra-slack'));
    if (!held) throw new Error('the held request is not on the server');
    expect(held.requester.id).toBe('user:dan@example.com');

    const ref = await postedMessage(s.slack, held.id);
    const click = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'bob', 'countersign.approve', held.id, ref),
    );
    expect(click.status).toBe(200);

    expect(await settled(page, 'assign')).toMatchObject({ status: 200 });
    expect(fixture.hitsTo('roleAssignments/ra-slack', 'PUT')).toHaveLength(1);
    const done = await waitForCard(page, (c) => c.holdId === card.holdId && c.state === 'released');
    expect(done.text).toContain('Approved by bob@example.com');
    expect(threadReplies(s.slack, ref).join('\n')).toContain('approved');
    // Only the one request went out, once: no retry or replay sent it again.
    await new Promise((r) => setTimeout(r, 500));
    expect(fixture.hitsTo('roleAssignments')).toHaveLength(1);
  });
});
