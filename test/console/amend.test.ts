import { describe, expect, it } from 'vitest';
import { serverForTest, submit } from '../../server/test/harness';
import { signedIn } from './console-client';

// Issue 16 in the console: "Approve with changes" on the request page, through the review verb.
const POLICY = [
  'version: 1',
  'groups:',
  '  reviewers: [alice@example.com, bob@example.com]',
  'rules:',
  '  - name: exact-only',
  '    match: { action: "db.drop" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '    amend: false',
  '  - name: needs-review',
  '    match: { action: "**" }',
  '    effect: review',
  '    approvers: [reviewers]',
].join('\n');

const unescapeHtml = (html: string) =>
  html
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

describe('console: approve with changes', () => {
  it('edits the masked params, keeps the secret, and approves the amended action', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('exporter', 'carol@example.com');
    const req = await submit(t, agent, {
      action: 'db.export',
      params: { rows: 50_000, password: 'hunter2' },
    });
    const alice = await signedIn(t, 'alice@example.com');
    const page = await alice.get(`/requests/${req.id}`);
    expect(page.text).toContain('Approve with changes…');
    expect(page.text).not.toContain('hunter2');
    const shown = /<textarea id="amend-params"[^>]*>([^<]*)<\/textarea>/.exec(page.text)?.[1] ?? '';
    const edited = { ...(JSON.parse(unescapeHtml(shown)) as Record<string, unknown>), rows: 100 };

    const bad = await alice.post(`/requests/${req.id}/amend`, { digest: req.digest, params: '{"rows": ' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Not JSON');
    const stale = await alice.post(`/requests/${req.id}/amend`, {
      digest: `sha256:${'0'.repeat(64)}`,
      params: JSON.stringify(edited),
    });
    expect(stale.status).toBe(409);

    // The API's bounds hold here too: a key longer than 200 characters is refused.
    const tooLong = await alice.post(`/requests/${req.id}/amend`, {
      digest: req.digest,
      params: JSON.stringify({ ...edited, ['k'.repeat(201)]: 1 }),
    });
    expect(tooLong.status).toBe(400);
    const done = await alice.post(`/requests/${req.id}/amend`, {
      digest: req.digest,
      params: JSON.stringify(edited),
    });
    expect(done.status).toBe(303);
    const after = await t.call<{ status: string; params: unknown; amended?: { by: string } }>(
      'GET',
      `/v1/actions/${req.id}`,
      { key: agent },
    );
    expect(after.body).toMatchObject({
      status: 'approved',
      params: { rows: 100, password: 'hunter2' },
      amended: { by: 'user:alice@example.com' },
    });
  });

  it('is not offered where the rule forbids it, and a forged post is refused by the core', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('dropper', 'carol@example.com');
    const req = await submit(t, agent, { action: 'db.drop', params: { table: 'orders' } });
    const bob = await signedIn(t, 'bob@example.com');
    expect((await bob.get(`/requests/${req.id}`)).text).not.toContain('Approve with changes');
    const forged = await bob.post(`/requests/${req.id}/amend`, {
      digest: req.digest,
      params: '{"table": "x"}',
    });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('does not allow amendments');
    const after = await t.call<{ status: string }>('GET', `/v1/actions/${req.id}`, { key: agent });
    expect(after.body.status).toBe('pending');
  });
});
