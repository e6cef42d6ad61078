import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { expectError } from '../../server/test/harness';
import { fetchRequest, heldRequest, outboxDrained, waitForEphemeral } from '../slack/slack-flows';
import { buttonClick, postToSlackEvents, SLACK_POLICY, useSlackTest } from '../slack/slack-harness';
import type { JsonObject } from '../slack-emulator';

// Issue 16: `risk: critical` implies step-up where step-up exists. A critical rule that says nothing of
// `stepUp` must reach Slack and the API as an MFA step-up, exactly as `stepUp: mfa` does.

const CONSOLE = 'https://countersign.example.com';
const POLICY = SLACK_POLICY.replace(
  'rules:\n',
  [
    'rules:',
    '  - name: wipes-are-critical',
    '    match: { action: db.wipe }',
    '    effect: review',
    '    approvers: [sre]',
    '    risk: critical',
    '',
  ].join('\n'),
);

const s = useSlackTest({ policy: POLICY, env: { COUNTERSIGN_PUBLIC_URL: CONSOLE } });

const buttonsOf = (blocks: unknown): JsonObject[] =>
  (Array.isArray(blocks) ? (blocks as JsonObject[]) : [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (Array.isArray(b.elements) ? (b.elements as JsonObject[]) : []));

describe('risk: critical asks for a step-up in Slack and over the API', () => {
  it("Slack's Approve is the MFA step-up link; an Approve click decides nothing", async () => {
    const { agent, req, ref } = await heldRequest(s, {
      submission: { action: 'db.wipe', resource: 'orders' },
    });
    expect(req).toMatchObject({ risk: 'critical', stepUp: 'mfa' });
    const stepUpPage = `${CONSOLE}/requests/${req.id}/step-up`;
    const buttons = buttonsOf(s.slack.message(ref.channel, ref.ts)?.blocks);
    expect(buttons.find((b) => b.style === 'primary')).toMatchObject({
      action_id: 'countersign.step_up',
      text: { text: 'Approve (MFA)' },
      url: stepUpPage,
    });
    expect(buttons.map((b) => b.action_id)).not.toContain('countersign.approve');

    await outboxDrained(s.t);
    const res = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'alice', 'countersign.approve', req.id, ref),
    );
    expect(res.status).toBe(200);
    const told = await waitForEphemeral(s.slack, 'alice', /^Not approved:/);
    expect(String(told.args.text)).toContain(stepUpPage);
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({ status: 'pending', reviews: [] });
  });

  it('the API refuses an approval with 403 step_up_required naming the step-up page', async () => {
    const { agent, req } = await heldRequest(s, {
      agent: 'wiper',
      submission: { action: 'db.wipe', resource: 'invoices' },
    });
    const alice = await s.t.userKey('alice@example.com', ['reviews:write']);
    const refused = await s.t.call<ActionRequest>('POST', `/v1/actions/${req.id}/reviews`, {
      key: alice,
      body: { decision: 'approve' },
    });
    const error = expectError(refused, 403, 'step_up_required');
    expect(JSON.stringify(error.details)).toContain(`${CONSOLE}/requests/${req.id}/step-up`);
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({ status: 'pending', reviews: [] });
  });
});
