import { describe, expect, it } from 'vitest';
import { expectCsrfRefused, expectDone, formsServer } from './forms-fixture';

// Issue 16 in the console: approve "this and the same again", and revoke a standing approval.
const unescapeHtml = (html: string) => html.replaceAll('&quot;', '"').replaceAll('&#39;', "'");

describe('console: standing approvals', () => {
  it('a reviewer approves this and the same again within the rule; audited; the next one is approved at once', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'reports.run', resource: 'reports/eu/q1' });
    const rita = await f.as('rita@example.com');
    const page = await rita.get(`/requests/${req.id}`);
    expect(page.text).toContain('Approve this and the same again…');
    expect(page.text).toContain('For how long (at most 1h)');
    expect(page.text).toContain('Uses after this one (at most 3)');
    expect(page.text).toContain('Empty: exactly <code>reports/eu/q1</code>');

    const good = { for: '30m', uses: '2', resource: 'reports/eu/*' };
    await expectCsrfRefused(rita, `/requests/${req.id}/standing`, good);
    const done = await rita.post(`/requests/${req.id}/standing`, good);
    await expectDone(rita, done, 'Approved, and the same again');
    const after = await f.status(req.id);
    expect(after).toMatchObject({
      status: 'approved',
      standing: { role: 'created', by: 'user:rita@example.com', resource: 'reports/eu/*', usesLeft: 2 },
    });
    const [created] = await f.audited('standing.created', req.id);
    expect(created).toMatchObject({
      actor: 'user:rita@example.com',
      data: { resource: 'reports/eu/*', uses: 2 },
    });
    // The pattern the reviewer wrote is shown in full, on the request and in the queue.
    expect((await rita.get(`/requests/${req.id}`)).text).toContain('(reports.run on reports/eu/*)');
    expect((await rita.get('/')).text).toContain('on reports/eu/*');

    const next = await f.ask({ action: 'reports.run', resource: 'reports/eu/q2' });
    expect(next).toMatchObject({ status: 'approved', standing: { role: 'used' } });
  });

  it('refuses terms beyond the rule as field errors, keeping what was typed', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'reports.run', resource: 'reports/eu/q1' });
    const rita = await f.as('rita@example.com');
    const cases: Array<{ form: Record<string, string> & { for: string }; field: string; words: string }> = [
      { form: { for: '2h', uses: '1' }, field: 'for', words: 'longer than the rule allows' },
      { form: { for: 'soon', uses: '1' }, field: 'for', words: 'a duration such as 30m or 1h' },
      { form: { for: '30m', uses: '4' }, field: 'uses', words: 'more than the rule allows' },
      { form: { for: '30m', uses: '' }, field: 'uses', words: 'expected number' },
      {
        form: { for: '30m', uses: '1', resource: 'reports/us/*' },
        field: 'resource',
        words: 'does not match this request',
      },
    ];
    for (const c of cases) {
      const reply = await rita.post(`/requests/${req.id}/standing`, c.form);
      expect(reply.status, JSON.stringify(c.form)).toBe(400);
      const error = new RegExp(`id="standing-${c.field}-error"[^>]*>([^<]*)<`).exec(reply.text)?.[1] ?? '';
      expect(unescapeHtml(error), JSON.stringify(c.form)).toContain(c.words);
      expect(reply.text).toContain(`aria-describedby="standing-${c.field}-error"`);
      expect(reply.text).toContain(`value="${c.form.for}"`);
    }
    expect((await f.status(req.id)).status).toBe('pending');
  });

  it('is refused to the requester’s side, and not offered where the rule takes none', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'reports.run', resource: 'reports/eu/q1' });
    const carol = await f.as('carol@example.com');
    expect((await carol.get(`/requests/${req.id}`)).text).not.toContain('the same again');
    const own = await carol.post(`/requests/${req.id}/standing`, { for: '30m', uses: '1' });
    expect(own.status).toBe(403);
    expect(own.text).toContain('No one may review their own request, nor a request of an agent they own.');

    const plain = await f.ask({ action: 'db.export', resource: 'reports/eu/q1' });
    const rita = await f.as('rita@example.com');
    expect((await rita.get(`/requests/${plain.id}`)).text).not.toContain('the same again');
    const forged = await rita.post(`/requests/${plain.id}/standing`, { for: '30m', uses: '1' });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('does not allow standing approvals');
    expect((await f.status(plain.id)).status).toBe('pending');
    expect((await f.status(req.id)).status).toBe('pending');
  });
});

describe('console: revoke a standing approval', () => {
  it('any approver revokes it from the queue or the request page; audited; once; no one else may', async (test) => {
    const f = await formsServer(test);
    const req = await f.ask({ action: 'reports.run', resource: 'reports/eu/q1' });
    const rita = await f.as('rita@example.com');
    await rita.post(`/requests/${req.id}/standing`, { for: '30m', uses: '3' });
    const standing = (await f.status(req.id)).standing?.id ?? '';
    expect(standing).toMatch(/^sta_/);

    const ravi = await f.as('ravi@example.com');
    expect((await ravi.get('/')).text).toContain(`action="/standing/${standing}/revoke"`);
    expect((await ravi.get(`/requests/${req.id}`)).text).toContain(`action="/standing/${standing}/revoke"`);
    await expectCsrfRefused(ravi, `/standing/${standing}/revoke`, { next: '/' });
    // Someone outside the approver groups learns nothing of it.
    const olga = await f.as('olga@example.com');
    expect((await olga.post(`/standing/${standing}/revoke`, { next: '/' })).status).toBe(404);

    const done = await ravi.post(`/standing/${standing}/revoke`, { next: `/requests/${req.id}` });
    expect(done.location).toMatch(new RegExp(`^/requests/${req.id}\\?done=`));
    await expectDone(ravi, done, `Standing approval ${standing} revoked.`);
    expect((await f.status(req.id)).standing?.revoked?.by).toBe('user:ravi@example.com');
    const [event] = await f.audited('standing.revoked', req.id);
    expect(event).toMatchObject({ actor: 'user:ravi@example.com', data: { standing } });
    expect((await ravi.get(`/requests/${req.id}`)).text).not.toContain(
      `action="/standing/${standing}/revoke"`,
    );

    const again = await rita.post(`/standing/${standing}/revoke`, { next: 'https://evil.example/' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('already revoked');
    const later = await f.ask({ action: 'reports.run', resource: 'reports/eu/q1' });
    expect(later.status).toBe('pending');
    // Back to where the button was, but only ever on this site.
    await rita.post(`/requests/${later.id}/standing`, { for: '30m', uses: '1' });
    const second = (await f.status(later.id)).standing?.id ?? '';
    const fromQueue = await ravi.post(`/standing/${second}/revoke`, { next: 'https://evil.example/' });
    expect(fromQueue.status).toBe(303);
    expect(fromQueue.location).toMatch(/^\/\?done=/);
  });
});
