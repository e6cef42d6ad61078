import { describe, expect, it } from 'vitest';
import { serverForTest, submit } from './harness';

const POLICY = `
version: 1
groups: { sre: [bob@example.com] }
rules:
  - name: copilots-need-review
    match: { source: extension, initiator: "copilot:*" }
    effect: review
    approvers: [sre]
  - name: people-at-the-console
    match: { source: extension, initiator: page }
    effect: allow
default: { effect: deny, reason: Not covered. }
`;

const consoleAction = (context: Record<string, unknown>) => ({
  action: 'aws.iam.AttachRolePolicy',
  resource: 'role/deploy',
  source: 'extension',
  context,
});

describe('the policy key initiator, from context.initiator', () => {
  it('holds a copilot-initiated console action for review and allows the same action from the page', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const key = await t.userKey('carol@example.com', ['actions:write']);
    const byCopilot = await submit(t, key, consoleAction({ initiator: 'copilot:amazon-q' }));
    expect(byCopilot).toMatchObject({
      status: 'pending',
      rule: { name: 'copilots-need-review', effect: 'review' },
      approvers: ['sre'],
      context: { initiator: 'copilot:amazon-q' },
    });
    const byPerson = await submit(t, key, consoleAction({ initiator: 'page' }));
    expect(byPerson).toMatchObject({ status: 'allowed', rule: { name: 'people-at-the-console' } });
    expect(byPerson.grant).toBeDefined();
  });

  it('treats a missing or non-string context.initiator as no initiator, which no initiator rule matches', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const key = await t.userKey('carol@example.com', ['actions:write']);
    for (const context of [{}, { initiator: ['page'] }, { initiator: { kind: 'page' } }, { initiator: 1 }]) {
      const request = await submit(t, key, consoleAction(context));
      expect(request, JSON.stringify(context)).toMatchObject({
        status: 'blocked',
        rule: { name: 'default' },
      });
    }
  });
});
