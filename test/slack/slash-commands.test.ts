import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  hasButtons,
  outboxDrained,
  postedMessage,
  waitForResponse,
  waitForUpdate,
} from './slack-flows';
import { postToSlackEvents, slashCommand, useSlackTest, type Who } from './slack-harness';

const s = useSlackTest();

/** Runs a command as Slack would and returns its reply on the response_url. */
async function run(who: Who, command: string, text: string): Promise<string> {
  const signed = slashCommand(s.slack, who, command, text);
  const res = await postToSlackEvents(s.t, signed);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe(''); // acknowledged at once; the answer follows on the response_url
  return waitForResponse(s.slack, signed.responseUrlId);
}

/** Runs a command that is answered in its acknowledgement (wrong usage). */
async function ackOf(who: Who, command: string, text: string): Promise<{ text?: string }> {
  const res = await postToSlackEvents(s.t, slashCommand(s.slack, who, command, text));
  expect(res.status).toBe(200);
  return (await res.json()) as { text?: string };
}

async function held(action = 'terraform.apply') {
  const agent = await s.t.agentKey(`bot-${Math.random().toString(36).slice(2, 8)}`, 'erin@example.com');
  const request = await submit(s.t, agent, { action, environment: 'prod' });
  return { agent, request };
}

describe('/approve and /deny', () => {
  it('/approve <full id> <comment> approves with the comment and updates the message', async () => {
    const { agent, request } = await held();
    const ref = await postedMessage(s.slack, request.id);
    const reply = await run('bob', '/approve', `${request.id} looks fine to me`);
    expect(reply).toContain(`You approved \`terraform.apply\` (${request.id}): it is now approved`);
    const after = await fetchRequest(s.t, agent, request.id);
    expect(after.status).toBe('approved');
    expect(after.reviews).toMatchObject([
      { reviewer: 'user:bob@example.com', comment: 'looks fine to me', via: 'slack' },
    ]);
    await waitForUpdate(
      s.slack,
      ref,
      (c, call) => c.includes('Approved by <@U0BOB>') && !hasButtons(call.args.blocks),
    );
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it.each([
    ['without act_, in lower case', (id: string) => id.slice(4, 20).toLowerCase()],
    ['with act_', (id: string) => id.slice(0, 20)],
  ])('/approve takes a unique prefix %s', async (_, prefixOf) => {
    const { agent, request } = await held();
    const reply = await run('bob', '/approve', prefixOf(request.id));
    expect(reply).toContain(`(${request.id}): it is now approved`);
    expect((await fetchRequest(s.t, agent, request.id)).status).toBe('approved');
    expectNoFailedSlackCalls(s.slack);
  });

  it('/deny <prefix> <reason> denies with the reason and updates the message', async () => {
    const { agent, request } = await held();
    const ref = await postedMessage(s.slack, request.id);
    const reply = await run('bob', '/deny', `${request.id.slice(4, 20)} change freeze until Monday`);
    expect(reply).toContain(`You denied \`terraform.apply\` (${request.id}): it is now denied`);
    const after = await fetchRequest(s.t, agent, request.id);
    expect(after.status).toBe('denied');
    expect(after.reviews).toMatchObject([{ decision: 'deny', comment: 'change freeze until Monday' }]);
    await waitForUpdate(
      s.slack,
      ref,
      (c, call) =>
        c.includes('Denied by <@U0BOB>: change freeze until Monday') && !hasButtons(call.args.blocks),
    );
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it.each([
    ['/deny', 'REQUEST_ID', 'Usage: `/deny <request id or unique prefix> <reason>`'],
    ['/deny', '', 'Usage: `/deny <request id or unique prefix> <reason>`'],
    ['/approve', '', 'Usage: `/approve <request id or unique prefix> [comment]`'],
    ['/approvals', 'everything please', 'Usage: `/approvals`'],
  ])('%s %j answers with the usage line and decides nothing', async (command, text, usage) => {
    const { agent, request } = await held();
    const ack = await ackOf('bob', command, text.replace('REQUEST_ID', request.id));
    expect(ack.text).toContain(usage);
    expect((await fetchRequest(s.t, agent, request.id)).status).toBe('pending');
    expect(s.slack.callsTo('response_url')).toEqual([]);
    expectNoFailedSlackCalls(s.slack);
  });

  it('an ambiguous prefix is named in the reply and nothing is decided', async () => {
    const first = await held();
    const second = await held();
    const a = first.request.id.slice(4);
    const b = second.request.id.slice(4);
    let common = 0;
    while (common < a.length && a[common] === b[common]) common += 1;
    // ULIDs start with the time: two requests made in the same second share well over 4 characters
    expect(common).toBeGreaterThanOrEqual(4);
    const prefix = a.slice(0, common);
    const reply = await run('bob', '/approve', prefix);
    expect(reply).toContain(`"${prefix}"`);
    expect(reply).toMatch(/more than one request/);
    expect((await fetchRequest(s.t, first.agent, first.request.id)).status).toBe('pending');
    expect((await fetchRequest(s.t, second.agent, second.request.id)).status).toBe('pending');
    expectNoFailedSlackCalls(s.slack);
  });

  it('an unknown prefix is named in the reply', async () => {
    await held();
    const reply = await run('bob', '/deny', 'ZZZZZZZZ no such thing');
    expect(reply).toContain('"ZZZZZZZZ"');
    expect(reply).toMatch(/not found/);
    expectNoFailedSlackCalls(s.slack);
  });

  it('a prefix that matches only requests the caller may not see is unknown to them', async () => {
    const { agent, request } = await held();
    const reply = await run('carol', '/approve', request.id); // carol is not in sre
    expect(reply).toMatch(/not found/);
    expect((await fetchRequest(s.t, agent, request.id)).status).toBe('pending');
    expectNoFailedSlackCalls(s.slack);
  });
});

describe('/approvals', () => {
  it('lists the requests waiting for the caller, with their ids', async () => {
    const { request } = await held('terraform.apply');
    const exported = await held('db.export'); // data-owners only: not bob's to decide
    const reply = await run('bob', '/approvals', '');
    expect(reply).toContain('Waiting for you (1)');
    expect(reply).toContain(request.id);
    expect(reply).not.toContain(exported.request.id);
    expect(reply).toContain('/approve <id>');
    expectNoFailedSlackCalls(s.slack);
  });

  it('says so when nothing waits for the caller', async () => {
    const reply = await run('carol', '/approvals', '');
    expect(reply).toContain('Nothing waits for you.');
    expectNoFailedSlackCalls(s.slack);
  });
});
