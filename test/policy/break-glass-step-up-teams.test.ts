import { describe, expect, it } from 'vitest';
import { say, submitAndWaitForCard, TEAMS_POLICY, until, useTeamsTest } from '../teams/teams-harness';

// Issue 16 × step-up: on a rule that asks for a step-up (risk: critical implies MFA), Teams' Break glass…
// opens the console's break-glass step-up page, as Approve (MFA) does, instead of a reason form whose
// submission the core would refuse.

const CONSOLE = 'https://countersign.example.com';
const POLICY = TEAMS_POLICY.replace(
  'rules:\n',
  [
    'rules:',
    '  - name: prod-deploys-after-hours',
    '    match: { action: deploy.api }',
    '    effect: review',
    '    approvers: [sre]',
    '    risk: critical',
    '    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }',
    '    teams: "Platform/Approvals"',
    '',
  ].join('\n'),
);

const s = useTeamsTest({ policy: POLICY, env: { COUNTERSIGN_PUBLIC_URL: CONSOLE } });

type Action = { type?: string; title?: string; url?: string };
/** Every action of a card, however deep (ActionSets, ShowCards). */
function actionsIn(value: unknown): Action[] {
  if (Array.isArray(value)) return value.flatMap(actionsIn);
  if (typeof value !== 'object' || value === null) return [];
  const node = value as Record<string, unknown>;
  const self = typeof node.type === 'string' && node.type.startsWith('Action.') ? [node as Action] : [];
  return [...self, ...Object.values(node).flatMap(actionsIn)];
}

describe('Teams: break-glass on a step-up rule', () => {
  it("the owner's card links Break glass (MFA)… to the console; no reason form is offered", async () => {
    const { id } = await submitAndWaitForCard(s, 'deploy.api');
    const link = {
      type: 'Action.OpenUrl',
      title: 'Break glass (MFA)…',
      style: 'destructive',
      url: `${CONSOLE}/requests/${id}/step-up?for=break-glass`,
    };
    const channel = await until(() => s.ms.posts.find((p) => JSON.stringify(p.activity).includes(id)));
    const inChannel = actionsIn(channel.activity);
    expect(inChannel).toContainEqual(link);
    expect(inChannel.map((a) => a.title)).not.toContain('Break glass…');

    await say(s, 'olga', 'requests');
    const mine = await until(() =>
      s.ms.posts.find((p) => p.conversationId === 'a:chat-olga' && JSON.stringify(p.activity).includes(id)),
    );
    const actions = actionsIn(mine.activity);
    expect(actions).toContainEqual(link);
    expect(actions.map((a) => a.title)).not.toContain('Break glass…');
  });
});
