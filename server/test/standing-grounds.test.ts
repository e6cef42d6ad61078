import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { auditEvents, serverForTest, submit } from './harness';
import { scim, scimKey } from './scim-harness';

// Issue 16: the grounds of a standing approval are checked when it is used, not only by the sweep
// that follows a reload or an SCIM change on this node. A deactivation this node never heard of (made
// on another node, whose follow-up was cut short) must still stop the giver's standing approval.
const POLICY = `version: 1
groups:
  reviewers: [oscar@example.com, rita@example.com]
rules:
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [reviewers]
    standing: { max: 1h, uses: 5 }
default: { effect: deny, reason: not covered }
`;

describe('a standing approval at use time', () => {
  it('whose giver was deactivated behind this node’s back holds the request and lapses', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const [agent, oscar, auditor, provider] = await Promise.all([
      t.agentKey('exporter', 'alice@example.com'),
      t.userKey('oscar@example.com', ['reviews:write']),
      t.userKey('audra@example.com', ['audit:read']),
      scimKey(t, 'okta'),
    ]);
    const made = await scim(t, provider, 'POST', '/Users', {
      userName: 'oscar@example.com',
      emails: [{ value: 'oscar@example.com', primary: true }],
      active: true,
    });
    expect(made.status).toBe(201);
    const first = await submit(t, agent, { action: 'db.export', resource: 'u/1' });
    const created = await t.call<ActionRequest>('POST', `/v1/actions/${first.id}/reviews`, {
      key: oscar,
      body: { decision: 'approve', standing: { for: '1h', uses: 5, resource: 'u/*' } },
    });
    expect(created.body.standing?.role).toBe('created');
    expect((await submit(t, agent, { action: 'db.export', resource: 'u/2' })).status).toBe('approved');

    // Written straight to the file, as another node's SCIM write is: no sweep runs on this node.
    await t.rawDb().execute("UPDATE scim_users SET active = 0 WHERE email = 'oscar@example.com'");
    const held = await submit(t, agent, { action: 'db.export', resource: 'u/3' });
    expect(held.status).toBe('pending');
    expect(held.standing).toBeUndefined();
    const revoked = (await auditEvents(t, auditor, 'type=standing.revoked')).filter(
      (e) => e.data.standing === created.body.standing?.id,
    );
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({
      actor: 'system:server',
      data: { by: 'system', reason: 'oscar@example.com was deactivated by the identity provider' },
    });
  });
});
