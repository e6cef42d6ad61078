import { describe, expect, it } from 'vitest';
import { submitAndWaitForCard, TEAMS_POLICY, until, useTeamsTest } from './teams-harness';

const s = useTeamsTest();
type Card = { actions?: { type: string }[] };
const cardOf = (activity: Record<string, unknown>) =>
  (activity.attachments as { content: Card }[] | undefined)?.[0]?.content;

async function reload(policy: string): Promise<void> {
  const admin = await s.t.userKey('root@example.com', ['admin']);
  await s.t.writePolicy(policy);
  expect((await s.t.call('POST', '/v1/admin/policy/reload', { key: admin })).status).toBe(200);
}

describe('a request pending in Teams when a reload blocks it', () => {
  it('its card is replaced without buttons, with the reason, and the thread says why', async () => {
    const { cardId } = await submitAndWaitForCard(s);
    await reload(
      TEAMS_POLICY.replace(
        'rules:\n',
        'rules:\n  - name: deploy-freeze\n    match: { action: deploy.* }\n    effect: deny\n    reason: Deploys are frozen.\n',
      ),
    );
    const update = await until(
      () =>
        s.ms.updates.findLast(
          (u) => u.activityId === cardId && JSON.stringify(u.activity).includes('Deploys are frozen.'),
        ),
      8000,
    );
    expect(cardOf(update.activity)?.actions).toBeUndefined();
    expect(JSON.stringify(update.activity)).not.toContain('Action.Execute');
    await until(
      () =>
        s.ms.posts.find(
          (p) => p.replyTo === cardId && JSON.stringify(p.activity).includes('now blocks this request'),
        ),
      8000,
    );
  });
});
