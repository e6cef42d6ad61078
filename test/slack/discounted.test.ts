import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import { scim, scimKey } from '../../server/test/scim-harness';
import { fetchRequest, outboxDrained, postedMessage, waitForReply, waitForUpdate } from './slack-flows';
import { buttonClick, PEOPLE, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

describe('an approval that stops counting', () => {
  it('is told in the thread, and the card counts it out ("0 of 2")', async () => {
    const key = await scimKey(s.t, 'okta');
    const { email } = PEOPLE.carol;
    const made = await scim<{ id: string }>(s.t, key, 'POST', '/Users', {
      userName: email,
      emails: [{ value: email, type: 'work', primary: true }],
      active: true,
    });
    expect(made.status).toBe(201);
    const agent = await s.t.agentKey('export-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'db.export', resource: 'customers/eu' });
    const ref = await postedMessage(s.slack, req.id);
    await postToSlackEvents(s.t, buttonClick(s.slack, 'carol', 'countersign.approve', req.id, ref));
    await waitForUpdate(s.slack, ref, (content) => content.includes('1 of 2'), 8000);

    const off = await scim(s.t, key, 'PATCH', `/Users/${made.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect((await fetchRequest(s.t, agent, req.id)).approvals).toEqual({ required: 2, received: 0 });

    await waitForReply(
      s.slack,
      ref,
      /^:warning: <@U0CAROL>'s approval no longer counts \(.+\): 0 of 2 approvals\.$/,
      8000,
    );
    await waitForUpdate(s.slack, ref, (content) => content.includes('0 of 2'), 8000);
    await outboxDrained(s.t);
    const card = s.slack.message(ref.channel, ref.ts);
    expect(JSON.stringify(card?.blocks)).toContain('0 of 2');
  }, 30_000);
});
