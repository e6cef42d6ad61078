import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { press, submitAndWaitForCard, until, useTeamsTest } from './teams-harness';

// A card is a snapshot of the request: its Approve and Deny count only for the version it showed.
// Rule two-keys: sre (alice, bob), two approvals.
const s = useTeamsTest();

/** The `data` of a card's Approve or Deny (Action.Execute, Deny's inside its ShowCard), as Teams sends it back. */
function dataOf(activity: Record<string, unknown>, verb: 'approve' | 'deny'): Record<string, unknown> {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const n of node) walk(n);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action.Execute' && o.verb === `countersign.${verb}`)
        found.push(o.data as Record<string, unknown>);
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk(activity);
  const [data] = found;
  if (!data) throw new Error(`no ${verb} on the card`);
  return data;
}

describe('Teams: Approve and Deny count only for the version the card showed', () => {
  it('after an amending approval, the old card’s Approve and Deny are refused to the clicker; the refreshed card counts', async () => {
    const { id, cardId, key } = await submitAndWaitForCard(s, 'db.drop');
    const posted = s.ms.posts.find((p) => p.id === cardId);
    if (!posted) throw new Error('no card');
    const first = (await s.t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;
    const staleApprove = dataOf(posted.activity, 'approve');
    const staleDeny = dataOf(posted.activity, 'deny');
    expect(staleApprove).toMatchObject({ actionId: id, digest: first.digest });

    const bob = await s.t.userKey('bob@example.com', ['reviews:write']);
    const amended = await s.t.call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, {
      key: bob,
      body: { decision: 'approve', amend: { params: { table: 'everything' } } },
    });
    expect(amended.status).toBe(200);

    const approve = await press(s, 'alice', 'approve', staleApprove, cardId);
    expect(approve.kind).toBe('message');
    expect(approve.text).toMatch(/^Not approved: This request was amended at .* by user:bob@example\.com/);
    const deny = await press(s, 'alice', 'deny', { ...staleDeny, reason: 'no' }, cardId);
    expect(deny.text).toMatch(/^Not denied: This request was amended/);
    const after = (await s.t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;
    expect(after).toMatchObject({ status: 'pending', approvals: { received: 1, required: 2 } });

    // The card is still replaced when the request changes, its buttons bound to the new version.
    const refreshed = await until(() =>
      s.ms.updates.findLast(
        (u) => u.activityId === cardId && JSON.stringify(u.activity).includes(amended.body.digest),
      ),
    );
    const fresh = await press(s, 'alice', 'approve', dataOf(refreshed.activity, 'approve'), cardId);
    expect(fresh.kind).toBe('card');
    const done = (await s.t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;
    expect(done).toMatchObject({ status: 'approved', params: { table: 'everything' } });
  });
});
