import { describe, expect, it } from 'vitest';
import { fetchRequest, heldRequest, outboxDrained } from '../slack/slack-flows';
import { buttonClick, postToSlackEvents, useSlackTest } from '../slack/slack-harness';
import { openModal, submitModal, typed } from '../slack/slack-modals';
import type { JsonObject } from '../slack-emulator';

// Issue 16 × step-up: on a rule that asks for a step-up (here risk: critical, which implies MFA), Slack's
// Break glass… is a link to the console's break-glass step-up page, as Approve (MFA) is; Slack cannot
// make the step-up, so a reason typed in Slack breaks nothing.

const CONSOLE = 'https://countersign.example.com';
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: prod-deploys-after-hours
    match: { action: "deploy.*" }
    effect: review
    approvers: [sre]
    risk: critical
    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }
default: { effect: deny, reason: no }
`;
const REASON = 'The on-call pager is down and prod is burning at 03:00.';

const s = useSlackTest({ policy: POLICY, env: { COUNTERSIGN_PUBLIC_URL: CONSOLE } }, { per: 'file' });

const buttonsOf = (blocks: unknown): JsonObject[] =>
  (Array.isArray(blocks) ? (blocks as JsonObject[]) : [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (Array.isArray(b.elements) ? (b.elements as JsonObject[]) : []));

describe('Slack: break-glass on a step-up rule', () => {
  it('Break glass… is the console step-up link, not the modal; its click decides nothing', async () => {
    const { agent, req, ref } = await heldRequest(s, { submission: { action: 'deploy.api' } });
    expect(req).toMatchObject({ stepUp: 'mfa' });
    const buttons = buttonsOf(s.slack.message(ref.channel, ref.ts)?.blocks);
    expect(
      buttons.find((b) => b.style === 'danger' && String(b.url ?? '').includes('for=break-glass')),
    ).toEqual({
      type: 'button',
      action_id: 'countersign.step_up',
      style: 'danger',
      text: { type: 'plain_text', text: 'Break glass (MFA)…' },
      url: `${CONSOLE}/requests/${req.id}/step-up?for=break-glass`,
      value: req.id,
    });
    expect(buttons.map((b) => b.action_id)).not.toContain('countersign.break_glass');

    await outboxDrained(s.t);
    const opened = s.slack.callsTo('views.open').length;
    const res = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'erin', 'countersign.step_up', req.id, ref),
    );
    expect(res.status).toBe(200);
    expect(s.slack.callsTo('views.open')).toHaveLength(opened);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
  });

  it('a reason sent from an old message’s modal is refused by the core, naming the step-up page', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      agent: 'deployer-2',
      submission: { action: 'deploy.web' },
    });
    const modal = await openModal(s, 'erin', 'countersign.break_glass', req.id, ref);
    const refused = await submitModal(s, 'erin', modal, typed('glass_reason', 'glass_reason_input', REASON));
    expect(refused.errors.glass_reason).toContain(`${CONSOLE}/requests/${req.id}/step-up?for=break-glass`);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
  });
});
