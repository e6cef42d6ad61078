import { describe, expect, it } from 'vitest';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  heldRequest,
  outboxDrained,
  threadReplies,
  typesOf,
  waitForEphemeral,
  waitForReply,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, postToSlackEvents, useSlackTest } from './slack-harness';

const s = useSlackTest();

describe('the same click twice', () => {
  it('a replayed interaction (the same signed payload again) never makes a second decision', async () => {
    const { agent, req, ref } = await heldRequest(s);
    // one capture, sent twice: same body, same timestamp, same signature
    const captured = {
      ...buttonClick(s.slack, 'bob', 'countersign.approve', req.id, ref),
      timestamp: Math.floor(Date.now() / 1000),
    };

    expect((await postToSlackEvents(s.t, captured)).status).toBe(200);
    await waitForUpdate(s.slack, ref, (content) => content.includes('Approved by <@U0BOB>'));
    await outboxDrained(s.t);
    const decided = await fetchRequest(s.t, agent, req.id);

    expect((await postToSlackEvents(s.t, captured)).status).toBe(200);
    await waitForEphemeral(s.slack, 'bob', /^Not approved: This request has already been decided/);

    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('approved');
    expect(after.reviews).toHaveLength(1);
    expect(after.decidedAt).toBe(decided.decidedAt);
    const types = typesOf(await auditOf(s.t, req.id));
    expect(types.filter((t) => t === 'review.recorded')).toHaveLength(1);
    expect(types.filter((t) => t === 'action.approved')).toHaveLength(1);
    expect(types.filter((t) => t === 'grant.issued')).toHaveLength(1);
    expect(threadReplies(s.slack, ref).filter((r) => r.includes('approved'))).toEqual([
      ':white_check_mark: <@U0BOB> approved',
    ]);
    expectNoFailedSlackCalls(s.slack);
  });

  it('a double click by the same approver on a 2-approval request counts once', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      agent: 'export-bot',
      submission: { action: 'db.export', resource: 'customers/eu' },
    });
    await outboxDrained(s.t);

    const clicks = await Promise.all([
      postToSlackEvents(s.t, buttonClick(s.slack, 'carol', 'countersign.approve', req.id, ref)),
      postToSlackEvents(s.t, buttonClick(s.slack, 'carol', 'countersign.approve', req.id, ref)),
    ]);
    expect(clicks.map((r) => r.status)).toEqual([200, 200]);
    await waitForEphemeral(s.slack, 'carol', /^Not approved: You have already reviewed this request/);
    await waitForReply(s.slack, ref, ':white_check_mark: <@U0CAROL> approved');

    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('pending');
    expect(after.approvals).toEqual({ required: 2, received: 1 });
    expect(after.reviews).toHaveLength(1);
    const audit = await auditOf(s.t, req.id);
    expect(typesOf(audit).filter((t) => t === 'review.recorded')).toHaveLength(1);
    expect(audit.filter((e) => e.type === 'review.refused')).toMatchObject([
      { actor: 'user:carol@example.com', data: { code: 'already_reviewed' } },
    ]);
    expect(threadReplies(s.slack, ref).filter((r) => r.endsWith('approved'))).toHaveLength(1);
    expectNoFailedSlackCalls(s.slack);
  });
});
