import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../slack-emulator';
import { auditOf, fetchRequest, heldRequest, outboxDrained, typesOf, waitForEphemeral } from './slack-flows';
import { buttonClick, postToSlackEvents, SLACK_POLICY, useSlackTest } from './slack-harness';

// A rule with a step-up: Slack's Approve is a link to the console's step-up page (a passkey or a fresh
// MFA sign-in happens there), and a click on the old Approve action, forged or from a stale message,
// decides nothing.

const CONSOLE = 'https://countersign.example.com';
const POLICY = SLACK_POLICY.replace(
  'rules:\n',
  [
    'rules:',
    '  - name: drops-need-a-passkey',
    '    match: { action: db.drop }',
    '    effect: review',
    '    approvers: [sre]',
    '    stepUp: passkey',
    '',
  ].join('\n'),
);

const s = useSlackTest({ policy: POLICY, env: { COUNTERSIGN_PUBLIC_URL: CONSOLE } });

const buttonsOf = (blocks: unknown): JsonObject[] =>
  (Array.isArray(blocks) ? (blocks as JsonObject[]) : [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (Array.isArray(b.elements) ? (b.elements as JsonObject[]) : []));

describe('step-up approvals from Slack', () => {
  it("posts Approve as a link to the console's step-up page, and a forged approve click decides nothing", async () => {
    const { agent, req, ref } = await heldRequest(s, {
      submission: { action: 'db.drop', resource: 'orders' },
    });
    expect(req.stepUp).toBe('passkey');
    const stepUpPage = `${CONSOLE}/requests/${req.id}/step-up`;
    const buttons = buttonsOf(s.slack.message(ref.channel, ref.ts)?.blocks);
    const approve = buttons.find((b) => b.style === 'primary');
    expect(approve).toMatchObject({
      type: 'button',
      action_id: 'countersign.step_up',
      text: { text: 'Approve (passkey)' },
      url: stepUpPage,
    });
    expect(buttons.map((b) => b.action_id)).not.toContain('countersign.approve');

    // The link button's own click reaches the app too (Slack sends it): acknowledged, nothing decided.
    await outboxDrained(s.t);
    const linkClick = buttonClick(s.slack, 'alice', 'countersign.approve', req.id, ref);
    const stepUpClick = {
      ...linkClick,
      body: linkClick.body.replaceAll('countersign.approve', 'countersign.step_up'),
    };
    expect((await postToSlackEvents(s.t, stepUpClick)).status).toBe(200);

    // A forged block_actions on the old Approve action id: the core refuses, the clicker is told where to finish.
    const res = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'alice', 'countersign.approve', req.id, ref),
    );
    expect(res.status).toBe(200);
    const told = await waitForEphemeral(s.slack, 'alice', /^Not approved:/);
    expect(String(told.args.text)).toContain(stepUpPage);
    expect(String(told.args.text)).toContain('passkey');

    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('pending');
    expect(after.reviews).toEqual([]);
    const audit = await auditOf(s.t, req.id);
    expect(typesOf(audit)).not.toContain('review.recorded');
    expect(audit.filter((e) => e.type === 'review.refused')).toMatchObject([
      {
        actor: 'user:alice@example.com',
        data: { code: 'step_up_required', decision: 'approve', via: 'slack' },
      },
    ]);
  });
});
