import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serverForTest, submit } from '../../server/test/harness';
import { signedIn } from './console-client';

// The console's "Approve with changes" goes through the same review verb as the API: an amendment the
// example policy would send to other approvers is refused there too, and the page says which rule.
const EXAMPLE = readFileSync(new URL('../../countersign.policy.yaml', import.meta.url), 'utf8');

describe('console: an amendment another rule would hold', () => {
  it('is refused with the rule and its approvers named, and the request stays as submitted', async (test) => {
    const t = await serverForTest(test, { policy: EXAMPLE });
    const agent = await t.agentKey('exporter', 'carol@example.com');
    const req = await submit(t, agent, { action: 'db.export', resource: 'orders', params: { rows: 50 } });
    const bob = await signedIn(t, 'bob@example.com');
    const refused = await bob.post(`/requests/${req.id}/amend`, {
      digest: req.digest,
      params: '{"rows": 5000000}',
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('held by rule big-exports (approvers: data-owners)');
    const after = await t.call<{ status: string; params: unknown }>('GET', `/v1/actions/${req.id}`, {
      key: agent,
    });
    expect(after.body).toMatchObject({ status: 'pending', params: { rows: 50 } });
  });
});
