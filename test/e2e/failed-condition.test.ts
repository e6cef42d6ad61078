import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { agentKey, unique, userKey, useStack } from './fixtures/stack';
import { api } from './processes';

// Adversarial trial: a rule that matched only because its `when:` could not be evaluated (a string
// where a number was expected, read fail-closed as "holds it") holds the request for a human, and
// nothing may stand in for that human — neither a standing approval nor an amendment.
const POLICY = `version: 1
groups:
  data-owners: [carol@example.com]
rules:
  - name: st-test
    match: { action: "st.*" }
    when: has(params.level) && params.level < 5
    effect: review
    approvers: [data-owners]
    standing: { max: 1h, uses: 5 }
  - name: st-deny
    match: { action: "st.*" }
    effect: deny
    reason: st actions are not allowed
`;

type Refusal = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

describe('a rule matched only because its condition failed', { timeout: 120_000 }, () => {
  const stack = useStack(POLICY);
  const carol = () => userKey(stack, 'carol@example.com');
  const submit = (agent: string, action: string, params: Record<string, unknown>) =>
    api<ActionRequest>(stack.server.url, 'POST', '/v1/actions', agent, { action, params });
  const approve = async (id: string, body: Record<string, unknown>) =>
    api<ActionRequest & Refusal>(stack.server.url, 'POST', `/v1/actions/${id}/reviews`, await carol(), {
      decision: 'approve',
      ...body,
    });

  it('is not approved by a standing approval: {level:"999"} stays held for a human', async () => {
    const agent = await agentKey(stack, unique('st-agent'));
    const first = await submit(agent, 'st.run', { level: 1 });
    expect(first.body).toMatchObject({ status: 'pending', matched: { rule: 'st-test' } });
    const created = await approve(first.body.id, { standing: { for: '1h', uses: 5 } });
    expect(created.body).toMatchObject({ status: 'approved', standing: { role: 'created' } });

    // The standing approval covers the rule's own case …
    const same = await submit(agent, 'st.run', { level: 2 });
    expect(same.body).toMatchObject({ status: 'approved', standing: { role: 'used' } });
    // … a number the condition reads as false falls through to the deny …
    const denied = await submit(agent, 'st.run', { level: 999 });
    expect(denied.body).toMatchObject({ status: 'blocked', matched: { rule: 'st-deny' } });
    // … and a string it cannot compare is held (fail closed) without the standing approval.
    const failed = await submit(agent, 'st.run', { level: '999' });
    expect(failed.status).toBe(201);
    expect(failed.body).toMatchObject({ status: 'pending', matched: { rule: 'st-test' } });
    expect(failed.body.standing).toBeUndefined();
    expect(failed.body.grant).toBeUndefined();

    // The use it did not take is still there for the rule's own case.
    const after = await submit(agent, 'st.run', { level: 3 });
    expect(after.body).toMatchObject({ status: 'approved', standing: { role: 'used', usesLeft: 3 } });
  });

  it('refuses an amendment that only its failed condition would hold: {"level":"999"} → 403', async () => {
    const agent = await agentKey(stack, unique('st-amend'));
    const request = await submit(agent, 'st.other', { level: 1 });
    expect(request.body).toMatchObject({ status: 'pending', matched: { rule: 'st-test' } });

    const denied = await approve(request.body.id, { amend: { params: { level: 999 } } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('amend_not_allowed');

    const refused = await approve(request.body.id, { amend: { params: { level: '999' } } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('amend_not_allowed');
    expect(refused.body.error.message).toContain(
      "the amended params could not be evaluated by rule st-test's condition:",
    );
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ path: 'amend.params', message: expect.stringContaining('st-test') }),
    ]);

    // Nothing changed, and an amendment the condition does read is still approved.
    const read = await api<ActionRequest>(
      stack.server.url,
      'GET',
      `/v1/actions/${request.body.id}`,
      await carol(),
    );
    expect(read.body).toMatchObject({ status: 'pending', params: { level: 1 } });
    const narrowed = await approve(request.body.id, { amend: { params: { level: 0 } } });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body).toMatchObject({ status: 'approved', params: { level: 0 } });
  });
});
