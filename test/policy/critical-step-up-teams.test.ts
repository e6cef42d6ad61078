import { describe, expect, it } from 'vitest';
import { click, submitAndWaitForCard, TEAMS_POLICY, useTeamsTest } from '../teams/teams-harness';

// Issue 16: `risk: critical` implies step-up where step-up exists. A critical rule that says nothing of
// `stepUp` must reach Teams as an MFA step-up, exactly as `stepUp: mfa` does.

const CONSOLE = 'https://countersign.example.com';
const POLICY = TEAMS_POLICY.replace(
  'rules:\n',
  [
    'rules:',
    '  - name: wipes-are-critical',
    '    match: { action: deploy.wipe }',
    '    effect: review',
    '    approvers: [sre]',
    '    risk: critical',
    '    teams: "Platform/Approvals"',
    '',
  ].join('\n'),
);

const s = useTeamsTest({ policy: POLICY, env: { COUNTERSIGN_PUBLIC_URL: CONSOLE } });

type Action = { type: string; title?: string; url?: string; verb?: string };
const actionsOf = (activity: Record<string, unknown>) =>
  ((activity.attachments as { content: { actions?: Action[] } }[])[0]?.content.actions ?? []) as Action[];

describe('Teams: risk: critical asks for a step-up', () => {
  it("the card's Approve opens the MFA step-up page; a card click is refused and decides nothing", async () => {
    const { id, cardId, key } = await submitAndWaitForCard(s, 'deploy.wipe');
    const stepUpPage = `${CONSOLE}/requests/${id}/step-up`;
    const posted = s.ms.posts.find((p) => p.id === cardId);
    const actions = posted ? actionsOf(posted.activity) : [];
    expect(actions[0]).toMatchObject({ type: 'Action.OpenUrl', title: 'Approve (MFA)', url: stepUpPage });
    expect(actions.some((a) => a.verb === 'countersign.approve')).toBe(false);

    const answer = await click(s, cardId, 'alice', 'approve', id);
    expect(answer.status).toBe(200);
    const words = String((answer.body as { value?: unknown }).value);
    expect(words).toMatch(/^Not approved: /);
    expect(words).toContain(stepUpPage);
    const got = await s.t.call<{ status: string; risk: string; stepUp: string; reviews: unknown[] }>(
      'GET',
      `/v1/actions/${id}`,
      { key },
    );
    expect(got.body).toMatchObject({ status: 'pending', risk: 'critical', stepUp: 'mfa', reviews: [] });
  });
});
