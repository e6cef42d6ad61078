import { describe, expect, it } from 'vitest';
import { expectCsrfRefused, expectDone, formsServer } from './forms-fixture';

// Issue 16 in the console: a reviewer asks instead of deciding; the requester's side answers.
describe('console: ask and answer', () => {
  it('a reviewer asks, the agent owner answers from My requests; both audited; still pending', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'db.export', resource: 'orders', params: { rows: 50_000 } });
    const rita = await f.as('rita@example.com');
    expect((await rita.get(`/requests/${req.id}`)).text).toContain('Ask the requester');

    const question = { comment: 'Why all 50,000 rows?' };
    await expectCsrfRefused(rita, `/requests/${req.id}/ask`, question);
    const blank = await rita.post(`/requests/${req.id}/ask`, { comment: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('id="ask-comment-error"');
    const asked = await rita.post(`/requests/${req.id}/ask`, question);
    await expectDone(rita, asked, 'Your question was sent; the request stays pending.');
    const [questionEvent] = await f.audited('action.question', req.id);
    expect(questionEvent).toMatchObject({
      actor: 'user:rita@example.com',
      data: { comment: question.comment, via: 'console' },
    });

    const carol = await f.as('carol@example.com');
    const mine = await carol.get('/mine');
    expect(mine.text).toContain(`href="/requests/${req.id}#answer"`);
    expect((await carol.get(`/requests/${req.id}`)).text).toContain('Answer the reviewers');
    const answer = { comment: 'The quarterly audit needs every row.' };
    await expectCsrfRefused(carol, `/requests/${req.id}/answer`, answer);
    const answered = await carol.post(`/requests/${req.id}/answer`, answer);
    await expectDone(carol, answered, 'Your answer was sent to the reviewers.');
    const [answerEvent] = await f.audited('action.answered', req.id);
    expect(answerEvent).toMatchObject({ actor: 'user:carol@example.com', data: { comment: answer.comment } });
    // Answered: My requests no longer points at it.
    expect((await carol.get('/mine')).text).not.toContain(`href="/requests/${req.id}#answer"`);

    const after = await f.status(req.id);
    expect(after.status).toBe('pending');
    const timeline = (await carol.get(`/requests/${req.id}`)).text;
    expect(timeline).toContain('user:rita@example.com — asked a question');
    expect(timeline).toContain('user:carol@example.com — answered the question');
    expect(after.comments?.map((c) => [c.author, c.role])).toEqual([
      ['user:rita@example.com', 'reviewer'],
      ['user:carol@example.com', 'requester'],
    ]);
  });

  it('the requester’s side may not ask, and a reviewer may not answer, in the core’s words', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'db.export', resource: 'orders' });
    const carol = await f.as('carol@example.com');
    expect((await carol.get(`/requests/${req.id}`)).text).not.toContain('Ask the requester');
    // Nothing to answer yet: no form, and a forged answer is refused.
    expect((await carol.get(`/requests/${req.id}`)).text).not.toContain('Answer the reviewers');
    const early = await carol.post(`/requests/${req.id}/answer`, { comment: 'Pre-emptive answer.' });
    expect(early.status).toBe(400);
    expect(early.text).toContain('No reviewer has asked a question about this request yet.');
    const own = await carol.post(`/requests/${req.id}/ask`, { comment: 'May I?' });
    expect(own.status).toBe(403);
    expect(own.text).toContain('No one may review their own request, nor a request of an agent they own.');

    const rita = await f.as('rita@example.com');
    await rita.post(`/requests/${req.id}/ask`, { comment: 'Which table?' });
    expect((await rita.get(`/requests/${req.id}`)).text).not.toContain('Answer the reviewers');
    const byReviewer = await rita.post(`/requests/${req.id}/answer`, { comment: 'Orders, surely.' });
    expect(byReviewer.status).toBe(403);
    expect(byReviewer.text).toContain('Only the requester (or the agent’s owner) answers questions');
    expect((await f.status(req.id)).comments).toHaveLength(1);
  });
});
