import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { auditEvents, expectError, serverForTest, submit } from '../../server/test/harness';

// Issue 16: a refused break-glass is audited as a refused review is (`break_glass.refused`, in the
// refusal's own transaction), so an attempt to approve a request without its approvers shows in the
// audit log whatever the reason it failed. An unseen request stays "not found", with nothing audited.

const POLICY = [
  'version: 1',
  'groups:',
  '  oncall: [alice@example.com, bob@example.com]',
  'rules:',
  '  - name: critical-glass',
  '    match: { action: "deploy.*" }',
  '    effect: review',
  '    approvers: [oncall]',
  '    risk: critical',
  '    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }',
  '  - name: plain-glass',
  '    match: { action: "restart.*" }',
  '    effect: review',
  '    approvers: [oncall]',
  '    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }',
  '  - name: no-glass',
  '    match: { action: "export.*" }',
  '    effect: review',
  '    approvers: [oncall]',
  'default: { effect: deny, reason: not covered }',
  '',
].join('\n');
const REASON = 'The on-call pager is down and prod is burning at 03:00.';

describe('break-glass refusals are audited', () => {
  it('wrong person, rule without breakGlass, no step-up, already decided: each one break_glass.refused', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('deployer', 'carol@example.com');
    const alice = await t.userKey('alice@example.com', ['reviews:write']);
    const auditor = await t.userKey('aud@example.com', ['audit:read']);
    const glass = (key: string, id: string) =>
      t.call<ActionRequest>('POST', `/v1/actions/${id}/break-glass`, { key, body: { reason: REASON } });

    const noGlass = await submit(t, agent, { action: 'export.users' });
    expectError(await glass(agent, noGlass.id), 403, 'forbidden');
    const plain = await submit(t, agent, { action: 'restart.api' });
    // An approver may see the request but is not its requester's side.
    expectError(await glass(alice, plain.id), 403, 'forbidden');
    const critical = await submit(t, agent, { action: 'deploy.api' });
    expectError(await glass(agent, critical.id), 403, 'step_up_required');
    expect((await glass(agent, plain.id)).status).toBe(200);
    expectError(await glass(agent, plain.id), 409, 'not_pending');

    const refused = await auditEvents(t, auditor, 'type=break_glass.refused');
    expect(refused.map((e) => ({ actor: e.actor, subject: e.subject, data: e.data }))).toEqual([
      {
        actor: 'agent:deployer',
        subject: noGlass.id,
        data: { action: 'export.users', code: 'forbidden', why: 'not_allowed', rule: 'no-glass', via: 'api' },
      },
      {
        actor: 'user:alice@example.com',
        subject: plain.id,
        data: { action: 'restart.api', code: 'forbidden', why: 'forbidden', rule: 'plain-glass', via: 'api' },
      },
      {
        actor: 'agent:deployer',
        subject: critical.id,
        data: {
          action: 'deploy.api',
          code: 'step_up_required',
          why: 'step_up_required',
          rule: 'critical-glass',
          via: 'api',
        },
      },
      {
        actor: 'agent:deployer',
        subject: plain.id,
        data: {
          action: 'restart.api',
          code: 'not_pending',
          why: 'not_pending',
          rule: 'plain-glass',
          via: 'api',
        },
      },
    ]);
    // Refused, so nothing else changed: the two refused requests are still pending.
    for (const id of [noGlass.id, critical.id]) {
      const read = await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key: auditor });
      expect(read.body.status).toBe('pending');
    }
  });

  it('an agent that cannot see the request gets 404, and nothing is audited about it', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('deployer', 'carol@example.com');
    const stranger = await t.agentKey('stranger', 'dave@example.com');
    const auditor = await t.userKey('aud@example.com', ['audit:read']);
    const req = await submit(t, agent, { action: 'restart.api' });
    const reply = await t.call('POST', `/v1/actions/${req.id}/break-glass`, {
      key: stranger,
      body: { reason: REASON },
    });
    expectError(reply, 404, 'not_found');
    expect(await auditEvents(t, auditor, 'type=break_glass.refused')).toEqual([]);
  });
});
