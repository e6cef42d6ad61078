import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  expectNoFailedSlackCalls,
  outboxDrained,
  postedMessage,
  waitForDm,
  waitForResponse,
} from './slack-flows';
import { buttonClick, PEOPLE, postToSlackEvents, slashCommand, useSlackTest } from './slack-harness';

const s = useSlackTest();

const dmTargets = () => s.slack.callsTo('conversations.open').map((c) => c.args.users);

describe('the requester hears the outcome by DM', () => {
  it('a person who asked is told when their request is approved', async () => {
    const erin = await s.t.userKey('erin@example.com', ['actions:write']);
    const req = await submit(s.t, erin, { action: 'terraform.apply', environment: 'prod' });
    const ref = await postedMessage(s.slack, req.id);
    await postToSlackEvents(s.t, buttonClick(s.slack, 'bob', 'countersign.approve', req.id, ref));
    const dm = await waitForDm(s.slack, 'erin', /Approved by <@U0BOB>/);
    expect(String(dm.args.text)).toContain(`Your request \`terraform.apply\``);
    expect(String(dm.args.text)).toContain(req.id);
    await outboxDrained(s.t);
    expect(dmTargets()).toEqual([PEOPLE.erin.id]);
    expectNoFailedSlackCalls(s.slack);
  });

  it("an agent's owner is told when the agent's request is denied, with the reason", async () => {
    const agent = await s.t.agentKey('ops-bot', 'carol@example.com');
    const req = await submit(s.t, agent, { action: 'terraform.apply', resource: 'stack/payments' });
    await postedMessage(s.slack, req.id);
    const command = slashCommand(s.slack, 'alice', '/deny', `${req.id} wrong stack`);
    expect((await postToSlackEvents(s.t, command)).status).toBe(200);
    expect(await waitForResponse(s.slack, command.responseUrlId)).toContain('it is now denied');
    const dm = await waitForDm(s.slack, 'carol', /Denied by <@U0ALICE>: wrong stack/);
    expect(String(dm.args.text)).toContain('stack/payments');
    await outboxDrained(s.t);
    expect(dmTargets()).toEqual([PEOPLE.carol.id]);
    expectNoFailedSlackCalls(s.slack);
  });
});
