import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionRequest, SubmitActionInput } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { agentKey, unique, userKey, useStack } from './fixtures/stack';
import { api, ROOT } from './processes';

// Trial finding (issue 16): an amendment is the policy's business too. What a reviewer amends to is
// decided again under the policy in force; only the same rule holding it, or an allow, may be approved.
const EXAMPLE = readFileSync(join(ROOT, 'countersign.policy.yaml'), 'utf8');

type Refusal = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

function scenario(policy: string) {
  const stack = useStack(policy);
  const submit = async (input: SubmitActionInput) => {
    const agent = await agentKey(stack, unique('amender'));
    const submitted = await api<ActionRequest>(stack.server.url, 'POST', '/v1/actions', agent, input);
    expect(submitted.status).toBeLessThan(300);
    return submitted.body;
  };
  const amend = async (email: string, id: string, params: Record<string, unknown>) =>
    api<ActionRequest & Refusal>(
      stack.server.url,
      'POST',
      `/v1/actions/${id}/reviews`,
      await userKey(stack, email),
      {
        decision: 'approve',
        amend: { params },
      },
    );
  const read = async (id: string) =>
    (
      await api<ActionRequest>(
        stack.server.url,
        'GET',
        `/v1/actions/${id}`,
        await userKey(stack, 'bob@example.com'),
      )
    ).body;
  return { submit, amend, read };
}

describe('an amended action is decided again by the example policy', () => {
  const { submit, amend, read } = scenario(EXAMPLE);

  it('sre may not amend a small export (default) into a big one the data owners hold (big-exports)', async () => {
    const request = await submit({ action: 'db.export', resource: 'orders', params: { rows: 50 } });
    expect(request).toMatchObject({ status: 'pending', matched: { rule: 'default' } });
    const refused = await amend('bob@example.com', request.id, { rows: 5_000_000, extra: 'anything' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('amend_not_allowed');
    expect(refused.body.error.message).toContain(
      'the amended params would be held by rule big-exports (approvers: data-owners)',
    );
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ path: 'amend.params', message: expect.stringContaining('big-exports') }),
    ]);
    // Nothing changed: no grant, the params as submitted.
    expect(await read(request.id)).toMatchObject({ status: 'pending', params: { rows: 50 } });
  });

  it('sre may still narrow within the same rule: rows 50 → 20 is approved', async () => {
    const request = await submit({ action: 'db.export', resource: 'orders', params: { rows: 50 } });
    const approved = await amend('bob@example.com', request.id, { rows: 20 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', params: { rows: 20 } });
  });

  it('a PutObject to an internal bucket may not be amended to an outside one (pii-to-unknown-bucket)', async () => {
    const request = await submit({
      action: 'aws.s3.PutObject',
      environment: 'prod',
      params: { pii: true, bucket: 'x.corp-internal' },
    });
    expect(request).toMatchObject({ status: 'pending', matched: { rule: 'default' } });
    const refused = await amend('bob@example.com', request.id, { pii: true, bucket: 'evil.example.com' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(
      'held by rule pii-to-unknown-bucket (approvers: data-owners)',
    );
    expect(await read(request.id)).toMatchObject({
      status: 'pending',
      params: { bucket: 'x.corp-internal' },
    });
  });
});

describe('an amendment a deny rule would block', () => {
  const { submit, amend, read } = scenario(`version: 1
groups:
  sre: [bob@example.com, alice@example.com]
rules:
  - name: no-huge-exports
    match: { action: db.export }
    when: params.rows > 1000000
    effect: deny
    reason: Exports over a million rows are never allowed.
default: { effect: review, approvers: [sre] }
`);

  it('rows 50 → 5,000,000 is refused naming the deny rule, as submitting it directly is blocked', async () => {
    const direct = await submit({ action: 'db.export', params: { rows: 5_000_000 } });
    expect(direct).toMatchObject({ status: 'blocked', matched: { rule: 'no-huge-exports' } });
    const request = await submit({ action: 'db.export', params: { rows: 50 } });
    const refused = await amend('bob@example.com', request.id, { rows: 5_000_000 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('amend_not_allowed');
    expect(refused.body.error.message).toContain(
      'the amended params would be denied by rule no-huge-exports: Exports over a million rows are never allowed.',
    );
    expect(await read(request.id)).toMatchObject({ status: 'pending', params: { rows: 50 } });
  });
});
