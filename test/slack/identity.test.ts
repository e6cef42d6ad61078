import { describe, expect, it } from 'vitest';
import { auditOf, fetchRequest, heldRequest } from './slack-flows';
import { buttonPayload, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

// Each impostor claims bob's email (bob is in sre, which may approve the default rule).
const IMPOSTORS = [
  { id: 'U0OTHERORG', email: 'bob@example.com', teamId: 'T0OTHER', why: 'a user of another workspace' },
  { id: 'U0STRANGER', email: 'bob@example.com', isStranger: true, why: 'a Slack Connect stranger' },
  { id: 'U0GUEST', email: 'bob@example.com', isRestricted: true, why: 'a guest' },
  { id: 'U0UNCONFIRMED', email: 'bob@example.com', emailConfirmed: false, why: 'an unconfirmed email' },
];

describe('who Slack may vouch for', () => {
  it.each(IMPOSTORS)(
    'refuses $why claiming an approver’s email, and nothing is decided',
    async (impostor) => {
      const { why: _why, ...user } = impostor;
      s.slack.addUser(user);
      const { agent, req, ref } = await heldRequest(s);
      const payload = buttonPayload(s.slack, 'bob', 'countersign.approve', req.id, ref);
      payload.user = { id: impostor.id, username: 'bob', name: 'bob', team_id: impostor.teamId ?? 'T0TEST' };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      expect(
        (await postToSlackEvents(s.t, { contentType: 'application/x-www-form-urlencoded', body })).status,
      ).toBe(200);
      const told = await s.slack.waitFor('chat.postEphemeral', (c) => c.args.user === impostor.id);
      expect(String(told.args.text)).toMatch(/only full members of this workspace/);
      expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
      expect((await auditOf(s.t, req.id)).map((e) => e.type)).not.toContain('review.recorded');
    },
  );
});
