import { describe, expect, it } from 'vitest';
import { ANSWER_ACTION, ANSWER_BLOCK, ANSWER_MODAL, answerModal, questionReply } from '../src/blocks/answer';
import { aHugeRequest, aRequest, MARKUP, messageIssues, shownText, viewIssues } from './fixtures';

describe('questionReply', () => {
  it('carries an Answer button while the request is pending, and none once decided', () => {
    const pending = questionReply(':question: alice asks erin: “why?”', aRequest());
    expect(messageIssues(pending)).toEqual([]);
    expect(JSON.stringify(pending.blocks)).toContain(ANSWER_ACTION);
    const decided = questionReply('…', aRequest({ status: 'approved' }));
    expect(JSON.stringify(decided.blocks)).not.toContain(ANSWER_ACTION);
  });
});

describe('answerModal', () => {
  it('shows the latest question and asks for a required answer', () => {
    const request = aRequest({
      comments: [
        { author: 'user:alice@example.com', role: 'reviewer', comment: 'first?', at: '2030-01-01T00:00:00Z' },
        { author: 'user:bob@example.com', role: 'reviewer', comment: 'second?', at: '2030-01-01T00:01:00Z' },
      ],
    });
    const view = answerModal(request);
    expect(viewIssues(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: ANSWER_MODAL });
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ id: request.id });
    expect(shownText(view)).toContain('second?');
    expect(view.blocks.find((b) => b.type === 'input')).toMatchObject({ block_id: ANSWER_BLOCK });
  });

  it('stays within the modal limits at every maximum', () => {
    const view = answerModal(
      aHugeRequest({
        comments: [{ author: MARKUP, role: 'reviewer', comment: MARKUP, at: '2030-01-01T00:00:00Z' }],
      }),
    );
    expect(viewIssues(view)).toEqual([]);
  });
});
