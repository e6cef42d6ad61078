import { describe, expect, it } from 'vitest';
import { approvalsPort } from '../src/slack/approvals-port';
import { teamsPort } from '../src/teams/approvals-port';
import { auditEvents, reviewPolicy, serverForTest, submit } from './harness';

// Slack and Teams reach the review verb through one step: the API's own review schema first.
describe('chat ports', () => {
  it('refuse an over-long comment from Slack and from Teams in words, and record nothing', async (test) => {
    const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    const long = 'x'.repeat(4001);
    const { core } = t.server;

    const fromSlack = await approvalsPort(core).review(
      { email: 'bob@example.com', slackUserId: 'U0BOB' },
      req.id,
      'deny',
      long,
    );
    const bob = {
      aadObjectId: 'aad-bob',
      email: 'bob@example.com',
      teamsUserId: '29:bob',
      serviceUrl: 'http://x',
    };
    const fromTeams = await teamsPort(core).review(bob, req.id, 'deny', long);
    for (const refused of [fromSlack, fromTeams]) {
      expect(refused).toMatchObject({
        ok: false,
        code: 'invalid_request',
        message: expect.stringMatching(/^comment: /),
      });
    }
    expect(await auditEvents(t, auditor, 'type=review.recorded')).toHaveLength(0);

    // The same port then decides a well-formed review.
    const decided = await teamsPort(core).review(bob, req.id, 'deny', 'not today');
    expect(decided).toMatchObject({ ok: true, request: { status: 'denied' } });
  });

  // The bots normalise emails first; should a look-alike reach the port anyway, every verb refuses it
  // as a value the bot words (never a thrown error, never a person it maps onto someone else).
  it('refuse a look-alike email as a value from every person verb, and record nothing', async (test) => {
    const t = await serverForTest(test, { policy: reviewPolicy(['bob@example.com']) });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'deploy.run' });
    const port = approvalsPort(t.server.core);
    const kelvin = { email: 'bob@\u212Aexample.com', slackUserId: 'U0BOB' };
    const refusals = await Promise.all([
      port.review(kelvin, req.id, 'approve'),
      port.ask(kelvin, req.id, 'why?'),
      port.answer(kelvin, req.id, 'because'),
      port.breakGlass(kelvin, req.id, 'nobody answers the pager tonight'),
      port.followUp(kelvin, req.id, 'sign_off'),
      port.revokeStanding(kelvin, 'std_x'),
      port.find(kelvin, req.id),
    ]);
    for (const refused of refusals)
      expect(refused).toMatchObject({ ok: false, code: 'identity_unusable', field: 'email' });
    expect(await auditEvents(t, auditor, 'type=review.recorded')).toHaveLength(0);
  });
});
