import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { approvalsPort } from '../src/slack/approvals-port';
import { teamsPort } from '../src/teams/approvals-port';
import { auditEvents, detailPaths, expectError, serverForTest, submit } from './harness';

// Closing note: a reason made only of combining marks counted toward the 20-character minimum
// ("a" under 25 marks is one character drawn and 26 code points). Slack's and Teams' own length
// checks count every character, so the core is where such a reason is refused, on every transport.
const POLICY = `version: 1
groups:
  sre: [bob@example.com]
rules:
  - name: prod-fix
    match: { action: "prod.*" }
    effect: review
    approvers: [sre]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
default: { effect: deny, reason: not covered }
`;

const MARKS = '\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030A\u030B\u030C\u0323\u0327\u0328\u0331';
const COMBINING_ONLY: Array<[string, string]> = [
  ['"a" under 25 combining marks', `a${MARKS}${MARKS.slice(0, 10)}`],
  ['19 letters each under 2 marks', 'abcdefghijklmnopqrs'.replace(/./g, (c) => `${c}\u0301\u0323`)],
  ['30 marks and no letter', `${MARKS}${MARKS}`],
  ['marks on spaces', ` ${MARKS}`.repeat(3)],
];
// Twenty characters a reader sees, each spelt in more code points than one.
const TWENTY_DRAWN = `${'e\u0301'.repeat(10)}${'\u1112\u1161\u11AB'.repeat(10)}`;

describe('a break-glass reason of combining marks', () => {
  it.for(COMBINING_ONLY)('is refused by the API, Slack and Teams: %s', async ([, reason], test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('fixer', 'alice@example.com');
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'prod.restart' });
    expect(req.breakGlass).toBeDefined();
    // Enough code points for any count by code point: the old check let this through.
    expect([...reason].length).toBeGreaterThanOrEqual(20);

    const fromApi = await t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: agent,
      body: { reason },
    });
    expect(detailPaths(expectError(fromApi, 400, 'invalid_request'))).toEqual(['reason']);

    const alice = { email: 'alice@example.com', slackUserId: 'U0ALICE' };
    const fromSlack = await approvalsPort(t.server.core).breakGlass(alice, req.id, reason);
    const fromTeams = await teamsPort(t.server.core).breakGlass(
      {
        aadObjectId: 'aad-alice',
        email: 'alice@example.com',
        teamsUserId: '29:alice',
        serviceUrl: 'http://x',
      },
      req.id,
      reason,
    );
    for (const refused of [fromSlack, fromTeams])
      expect(refused).toMatchObject({
        ok: false,
        code: 'invalid_request',
        message: expect.stringMatching(/^reason: /),
      });

    expect(await auditEvents(t, auditor, 'type=action.break_glass')).toHaveLength(0);
    const still = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent });
    expect(still.body.status).toBe('pending');
  });

  it('counts a character drawn from several code points once, and lets twenty of them through', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('fixer', 'alice@example.com');
    const req = await submit(t, agent, { action: 'prod.restart' });
    const short = await t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: agent,
      body: { reason: TWENTY_DRAWN.slice(0, -3) },
    });
    expect(detailPaths(expectError(short, 400, 'invalid_request'))).toEqual(['reason']);

    const alice = { email: 'alice@example.com', slackUserId: 'U0ALICE' };
    const broken = await approvalsPort(t.server.core).breakGlass(alice, req.id, TWENTY_DRAWN);
    expect(broken).toMatchObject({
      ok: true,
      request: { status: 'approved', breakGlass: { reason: TWENTY_DRAWN } },
    });
  });
});
