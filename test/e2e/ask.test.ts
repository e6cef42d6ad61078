import type { ActionRequest } from '@countersign/shared';
import type { Question } from '@countersign/shared/sdk';
import { describe, expect, it } from 'vitest';
import { sdkAgent } from './fixtures/sdk-agent';
import { userKey, useStack } from './fixtures/stack';
import { api } from './processes';

// Issue 16: ask before deciding, through a real server process and the SDK.
const POLICY = `version: 1
groups:
  reviewers: [rita@example.com]
rules:
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [reviewers]
default: { effect: deny, reason: not covered }
`;

const stack = useStack(POLICY);

const ask = (key: string, id: string, comment?: string) =>
  api<ActionRequest>(stack.server.url, 'POST', `/v1/actions/${id}/reviews`, key, {
    decision: 'ask',
    ...(comment !== undefined && { comment }),
  });

describe('ask before deciding', () => {
  it('the wait hears the question, the agent answers, the request stays pending until approved', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const questions: Question[] = [];
    let answered: Promise<unknown> | undefined;
    const handle = await countersign.request({ action: 'db.export', params: { rows: 100 } });
    const waiting = handle.wait({
      onQuestion: (q) => {
        questions.push(q);
        answered = handle.answer('Only the EU customers, for the quarterly report.');
      },
    });
    const asked = await ask(stack.rita, handle.id, 'Which customers, and why now?');
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({
      status: 'pending',
      comments: [
        { author: 'user:rita@example.com', role: 'reviewer', comment: 'Which customers, and why now?' },
      ],
      approvals: { received: 0 },
    });
    // The long-poll answers on the question, not only on a decision.
    for (let i = 0; i < 100 && questions.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(questions).toEqual([
      expect.objectContaining({ author: 'user:rita@example.com', comment: 'Which customers, and why now?' }),
    ]);
    await answered;
    const seen = (await api<ActionRequest>(stack.server.url, 'GET', `/v1/actions/${handle.id}`, agent)).body;
    expect(seen.comments?.map((c) => [c.role, c.comment])).toEqual([
      ['reviewer', 'Which customers, and why now?'],
      ['requester', 'Only the EU customers, for the quarterly report.'],
    ]);
    const approved = await api<ActionRequest>(
      stack.server.url,
      'POST',
      `/v1/actions/${handle.id}/reviews`,
      stack.rita,
      {
        decision: 'approve',
      },
    );
    expect(approved.body.status).toBe('approved');
    await expect(waiting).resolves.toMatchObject({ status: 'approved' });
    await expect(handle.redeem()).resolves.toMatchObject({ ok: true, actionId: handle.id });

    const auditor = await userKey(stack, 'audra@example.com', 'audit:read');
    const types = async (type: string) =>
      (
        await api<{ events: Array<{ subject: string; actor: string }> }>(
          stack.server.url,
          'GET',
          `/v1/audit?type=${type}`,
          auditor,
        )
      ).body.events.filter((e) => e.subject === handle.id);
    expect(await types('action.question')).toEqual([
      expect.objectContaining({ actor: 'user:rita@example.com' }),
    ]);
    expect(await types('action.answered')).toEqual([
      expect.objectContaining({ actor: agent.startsWith('csk_') ? expect.stringMatching(/^agent:/) : '' }),
    ]);
  });

  it('a question needs a comment; only approvers ask; only the requester answers, and only a question', async () => {
    const { agent, countersign } = await sdkAgent(stack);
    const handle = await countersign.request({ action: 'db.export', params: { rows: 1 } });
    const noComment = await ask(stack.rita, handle.id);
    expect(noComment.status).toBe(400);
    expect(noComment.body).toMatchObject({ error: { code: 'invalid_request' } });
    const early = await handle.answer('nobody asked').catch((e: unknown) => e);
    expect(early).toMatchObject({ code: 'invalid_request', status: 400 });
    const outsider = await userKey(stack, 'oscar@example.com');
    expect((await ask(outsider, handle.id, 'why?')).body).toMatchObject({
      error: { code: 'not_an_approver' },
    });
    expect((await ask(stack.rita, handle.id, 'why?')).status).toBe(200);
    const byReviewer = await api(stack.server.url, 'POST', `/v1/actions/${handle.id}/comments`, stack.rita, {
      comment: 'answering my own question',
    });
    expect(byReviewer.status).toBe(403);
    const after = await api<ActionRequest>(stack.server.url, 'GET', `/v1/actions/${handle.id}`, agent);
    expect(after.body).toMatchObject({ status: 'pending' });
    expect(after.body.comments).toHaveLength(1);
    // A list item carries the same comments as the request itself.
    const listed = await api<{ items: ActionRequest[] }>(stack.server.url, 'GET', '/v1/actions', agent);
    expect(listed.body.items.find((r) => r.id === handle.id)?.comments).toEqual(after.body.comments);
  });
});
