import { describe, expect, it } from 'vitest';
import { fetchRequest, heldRequest } from '../slack/slack-flows';
import { buttonClick, homeOpened, postToSlackEvents, useSlackTest } from '../slack/slack-harness';
import { homePublished } from '../slack/slack-modals';
import type { JsonObject } from '../slack-emulator';

// Issue 16 × step-up on the App Home: beside the owner's pending request, Break glass… on a step-up rule
// is the console's break-glass step-up link (as under the request's message), not the reason modal,
// which would only be refused; and an approver's Approve there is the step-up link too.

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

const s = useSlackTest({ policy: POLICY, env: { COUNTERSIGN_PUBLIC_URL: CONSOLE } }, { per: 'file' });

/** Every button on a Home view: in actions blocks and as section accessories. */
const buttonsOf = (blocks: unknown): JsonObject[] =>
  (Array.isArray(blocks) ? (blocks as JsonObject[]) : []).flatMap((b) => [
    ...(b.type === 'actions' && Array.isArray(b.elements) ? (b.elements as JsonObject[]) : []),
    ...(b.accessory !== null && typeof b.accessory === 'object' && !Array.isArray(b.accessory)
      ? [b.accessory as JsonObject]
      : []),
  ]);

async function homeOf(who: 'alice' | 'erin', id: string): Promise<JsonObject[]> {
  const since = s.slack.calls.length;
  expect((await postToSlackEvents(s.t, homeOpened(who))).status).toBe(200);
  const home = await homePublished(s.slack, who, (_, text) => text.includes(id), since);
  return buttonsOf((home.args.view as { blocks: unknown }).blocks);
}

describe('Slack App Home: break-glass and approve on a step-up rule', () => {
  it('the owner’s Break glass… is the console step-up link; its click opens no modal and decides nothing', async () => {
    const { agent, req, ref } = await heldRequest(s, { submission: { action: 'deploy.api' } });
    expect(req).toMatchObject({ stepUp: 'mfa' });
    const buttons = await homeOf('erin', req.id);
    expect(buttons.find((b) => b.style === 'danger' && b.value === req.id)).toEqual({
      type: 'button',
      action_id: 'countersign.step_up',
      style: 'danger',
      text: { type: 'plain_text', text: 'Break glass (MFA)…' },
      url: `${CONSOLE}/requests/${req.id}/step-up?for=break-glass`,
      value: req.id,
    });
    expect(buttons.map((b) => b.action_id)).not.toContain('countersign.break_glass');

    const opened = s.slack.callsTo('views.open').length;
    const res = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'erin', 'countersign.step_up', req.id, ref),
    );
    expect(res.status).toBe(200);
    expect(s.slack.callsTo('views.open')).toHaveLength(opened);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
  });

  it('an approver’s Approve on the Home is the console step-up link too', async () => {
    const { req } = await heldRequest(s, { agent: 'deployer-2', submission: { action: 'deploy.web' } });
    const buttons = await homeOf('alice', req.id);
    const approve = buttons.find((b) => b.style === 'primary' && b.value === req.id);
    expect(approve).toMatchObject({
      action_id: 'countersign.step_up',
      text: { type: 'plain_text', text: 'Approve (MFA)' },
      url: `${CONSOLE}/requests/${req.id}/step-up`,
    });
  });
});
