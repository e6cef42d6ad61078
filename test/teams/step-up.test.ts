import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../server/test/harness';
import { click, submitAndWaitForCard, TEAMS_POLICY, useTeamsTest } from './teams-harness';

// A rule with a step-up: the card's Approve opens the console's step-up page; a card click that still
// arrives (an old client, a forged invoke) goes through the real SDK adapter to the core, which refuses
// it in words that say where to finish, and nothing is decided.

const CONSOLE = 'https://countersign.example.com';
const POLICY = TEAMS_POLICY.replace(
  'rules:\n',
  [
    'rules:',
    '  - name: wipes-need-mfa',
    '    match: { action: deploy.wipe }',
    '    effect: review',
    '    approvers: [sre]',
    '    stepUp: mfa',
    '    teams: "Platform/Approvals"',
    // Issue 16: `risk: critical` implies MFA where step-up exists, exactly as `stepUp: mfa` does.
    '  - name: nukes-are-critical',
    '    match: { action: deploy.nuke }',
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

describe('Teams: step-up approvals', () => {
  it.each([
    ['stepUp: mfa', 'deploy.wipe', undefined],
    ['risk: critical', 'deploy.nuke', 'critical'],
  ])(
    "%s: the card's Approve opens the step-up page; a card click that still arrives is refused with the URL",
    async (_, action, risk) => {
      const { id, cardId, key } = await submitAndWaitForCard(s, action);
      const stepUpPage = `${CONSOLE}/requests/${id}/step-up`;
      const posted = s.ms.posts.find((p) => p.id === cardId);
      const actions = posted ? actionsOf(posted.activity) : [];
      expect(actions[0]).toMatchObject({ type: 'Action.OpenUrl', title: 'Approve (MFA)', url: stepUpPage });
      expect(actions.some((a) => a.verb === 'countersign.approve')).toBe(false);

      const answer = await click(s, cardId, 'alice', 'approve', id);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
      const words = String((answer.body as { value?: unknown }).value);
      expect(words).toMatch(/^Not approved: /);
      expect(words).toContain(stepUpPage);

      const got = await s.t.call<{ status: string; reviews: unknown[]; risk?: string; stepUp?: string }>(
        'GET',
        `/v1/actions/${id}`,
        { key },
      );
      expect(got.body).toMatchObject({ status: 'pending', reviews: [], stepUp: 'mfa' });
      expect(got.body.risk).toBe(risk);
      const refused = await auditEvents(
        s.t,
        await s.t.userKey('aud@example.com', ['audit:read']),
        'type=review.refused',
      );
      expect(
        refused.filter((e) => e.subject === id).map((e) => [e.subject, e.data.code, e.data.via]),
      ).toEqual([[id, 'step_up_required', 'teams']]);
    },
  );
});
