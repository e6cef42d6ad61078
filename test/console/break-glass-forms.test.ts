import { describe, expect, it } from 'vitest';
import { expectCsrfRefused, expectDone, formsServer } from './forms-fixture';

// Issue 16 in the console: break-glass by the requester's side, then its follow-up review by an approver.
const REASON = 'Payments are down and no approver answers the page at 03:00.';

describe('console: break-glass', () => {
  it('the agent owner breaks the glass with a reason, after a loud warning; audited', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'prod.restartPayments', params: { force: true } });
    const carol = await f.as('carol@example.com');
    const page = await carol.get(`/requests/${req.id}`);
    expect(page.text).toContain('Break the glass and approve');
    // This server runs no chat bot: the warning promises no broadcast it would not send.
    expect(page.text).toContain('no chat is configured on this server: only the audit log');
    expect(page.text).toContain('<code>action.break_glass</code>');
    expect(page.text).toContain('due within 1d');
    // The requester's side sees it on My requests too.
    expect((await carol.get('/mine')).text).toContain(`href="/requests/${req.id}#break-glass-form"`);

    await expectCsrfRefused(carol, `/requests/${req.id}/break-glass`, { reason: REASON });
    const short = await carol.post(`/requests/${req.id}/break-glass`, { reason: 'no one answers' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('id="break-glass-reason-error"');
    expect(short.text).toContain('at least 20 characters: say why no approver could be reached');
    expect(short.text).toContain('no one answers</textarea>');
    expect((await f.status(req.id)).status).toBe('pending');

    const done = await carol.post(`/requests/${req.id}/break-glass`, { reason: REASON });
    await expectDone(carol, done, 'Break-glass: your request is approved.');
    expect(await f.status(req.id)).toMatchObject({
      status: 'approved',
      breakGlass: { by: 'user:carol@example.com', reason: REASON, followUp: { status: 'open' } },
    });
    const [event] = await f.audited('action.break_glass', req.id);
    expect(event).toMatchObject({ actor: 'user:carol@example.com', data: { reason: REASON } });
    expect((await carol.get(`/requests/${req.id}`)).text).toContain(
      'user:carol@example.com — broke the glass: approved by its own side',
    );
  });

  it('is refused to a reviewer and on a rule without breakGlass, in the core’s words', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'prod.restartPayments' });
    const rita = await f.as('rita@example.com');
    expect((await rita.get(`/requests/${req.id}`)).text).not.toContain('Break the glass');
    const byReviewer = await rita.post(`/requests/${req.id}/break-glass`, { reason: REASON });
    expect(byReviewer.status).toBe(403);
    expect(byReviewer.text).toContain('Only the requester, or the agent’s owner, may break the glass');

    const plain = await f.ask({ action: 'db.export' });
    const carol = await f.as('carol@example.com');
    expect((await carol.get(`/requests/${plain.id}`)).text).not.toContain('Break the glass');
    const forged = await carol.post(`/requests/${plain.id}/break-glass`, { reason: REASON });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('rule does not allow break-glass');
    expect((await f.status(plain.id)).status).toBe('pending');
    expect((await f.status(req.id)).status).toBe('pending');
  });
});

describe('console: break-glass follow-up', () => {
  it('an approver flags it (a comment required) from the queue’s link; audited; once only', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'prod.restartPayments' });
    await f.t.call('POST', `/v1/actions/${req.id}/break-glass`, { key: f.agent, body: { reason: REASON } });
    const rita = await f.as('rita@example.com');
    expect((await rita.get('/')).text).toContain(`href="/requests/${req.id}#follow-up"`);
    const page = await rita.get(`/requests/${req.id}`);
    expect(page.text).toContain('Sign off');
    expect(page.text).toContain('What was wrong (required)');

    await expectCsrfRefused(rita, `/requests/${req.id}/follow-up`, { decision: 'flag', comment: 'x' });
    const bare = await rita.post(`/requests/${req.id}/follow-up`, { decision: 'flag', comment: '' });
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('id="follow-up-comment-error"');
    expect(bare.text).toContain('flagging needs a comment saying what was wrong');

    const flagged = await rita.post(`/requests/${req.id}/follow-up`, {
      decision: 'flag',
      comment: 'A restart needed no break-glass.',
    });
    await expectDone(rita, flagged, 'You flagged this break-glass.');
    expect((await f.status(req.id)).breakGlass?.followUp).toMatchObject({
      status: 'flagged',
      by: 'user:rita@example.com',
    });
    const [event] = await f.audited('action.follow_up', req.id);
    expect(event).toMatchObject({ actor: 'user:rita@example.com', data: { decision: 'flagged' } });

    const ravi = await f.as('ravi@example.com');
    const again = await ravi.post(`/requests/${req.id}/follow-up`, { decision: 'sign_off' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('This break-glass has no open follow-up review');
  });

  it('the requester’s side cannot sign off its own break-glass', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'prod.restartPayments' });
    await f.t.call('POST', `/v1/actions/${req.id}/break-glass`, { key: f.agent, body: { reason: REASON } });
    const carol = await f.as('carol@example.com');
    expect((await carol.get(`/requests/${req.id}`)).text).not.toContain('Follow-up review</h2>');
    const own = await carol.post(`/requests/${req.id}/follow-up`, { decision: 'sign_off' });
    expect(own.status).toBe(403);
    expect(own.text).toContain('No one may review their own break-glass, nor one of an agent they own.');
    expect((await f.status(req.id)).breakGlass?.followUp?.status).toBe('open');

    const ravi = await f.as('ravi@example.com');
    const signed = await ravi.post(`/requests/${req.id}/follow-up`, { decision: 'sign_off' });
    await expectDone(ravi, signed, 'You signed off this break-glass.');
    expect((await f.status(req.id)).breakGlass?.followUp?.status).toBe('signed_off');
  });
});
