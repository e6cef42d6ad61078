import type { ActionRequest } from '@countersign/shared';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { auditEvents, submit } from '../../server/test/harness';
import { usePasskeyConsole } from './passkey-console';

// Passkeys in a real Chromium with a virtual authenticator (CDP WebAuthn domain): registered on
// /security, then used on a request's step-up page. WebAuthn refuses an IP address as the RP ID, so
// the console is reached and announced as http://localhost:PORT.

const POLICY = [
  'version: 1',
  'groups:',
  '  reviewers: [alice@example.com, bob@example.com]',
  'defaults: { timeout: 15m, grantTtl: 5m }',
  'rules:',
  '  - name: prod-drops',
  '    match: { action: "db.drop" }',
  '    effect: review',
  '    approvers: [reviewers]',
  // Two approvals, so the request is still pending when alice's spent step-up is replayed: the
  // refusal below is the step-up's, not "already decided".
  '    minApprovals: 2',
  '    stepUp: passkey',
  '',
].join('\n');

const ctx = usePasskeyConsole(POLICY);

/** Alice signed in by link at http://localhost, with a platform authenticator that verifies her. */
const aliceWithAuthenticator = (): Promise<Page> => ctx.signedIn('alice@example.com');

describe('passkeys in Chromium (virtual authenticator, RP ID localhost)', () => {
  it('registers a passkey on /security, approves a stepUp: passkey request with it, and refuses a replay', async () => {
    const page = await aliceWithAuthenticator();
    await page.goto(`${ctx.site}/security`);
    await page.getByLabel('Name for the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/\/security\?done=/);
    expect(await page.textContent('main')).toContain('Passkey "Test laptop" added.');
    const [registered] = (
      await ctx.t
        .rawDb()
        .execute({ sql: 'select id from passkeys where email = ?', args: ['alice@example.com'] })
    ).rows;
    const credentialId = String(registered?.id);
    expect(credentialId).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    const agent = await ctx.t.agentKey('drop-bot', 'carol@example.com');
    const req = await submit(ctx.t, agent, { action: 'db.drop', resource: 'orders' });
    expect(req.stepUp).toBe('passkey');
    await page.goto(`${ctx.site}/requests/${req.id}/step-up`);
    await page.getByLabel('Comment (optional)').fill('looked at the plan');
    const assertion = page.waitForRequest((r) => r.url().endsWith(`/requests/${req.id}/step-up/passkey`));
    await page.getByRole('button', { name: 'Approve with a passkey' }).click();
    const posted = (await assertion).postData() ?? '';
    await page.waitForURL(new RegExp(`/requests/${req.id}\\?done=`));

    const audit = await ctx.t.userKey('aud@example.com', ['audit:read']);
    const after = (await ctx.t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: audit })).body;
    expect(after.status).toBe('pending'); // one of two
    expect(after.reviews).toHaveLength(1);
    expect(after.reviews[0]).toMatchObject({
      reviewer: 'user:alice@example.com',
      comment: 'looked at the plan',
      via: 'console',
      stepUp: { method: 'passkey', credentialId },
    });
    const recorded = await auditEvents(ctx.t, audit, 'type=review.recorded');
    expect(recorded[0]?.data.stepUp).toMatchObject({ method: 'passkey', credentialId });

    // The same assertion and step-up posted again, from the same signed-in browser: spent, refused.
    const replay = await page.request.post(`${ctx.site}/requests/${req.id}/step-up/passkey`, {
      headers: { origin: ctx.site, 'content-type': 'application/x-www-form-urlencoded' },
      data: posted,
    });
    expect(replay.status()).toBe(403);
    expect(await replay.json()).toMatchObject({ error: { code: 'step_up_required' } });
    const readBack = (await ctx.t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: audit })).body;
    expect(readBack.reviews).toHaveLength(1);
    const refused = await auditEvents(ctx.t, audit, 'type=step_up.refused');
    expect(refused.map((e) => e.data.reason)).toEqual(['unknown']);

    // The old assertion under a fresh step-up (a new challenge) does not verify either.
    const fresh = await page.request.post(`${ctx.site}/requests/${req.id}/step-up/passkey/options`, {
      headers: { origin: ctx.site, 'content-type': 'application/x-www-form-urlencoded' },
      data: new URLSearchParams({ _csrf: new URLSearchParams(posted).get('_csrf') ?? '' }).toString(),
    });
    expect(fresh.status()).toBe(200);
    const { stepUp } = (await fresh.json()) as { stepUp: string };
    const old = new URLSearchParams(posted);
    old.set('stepUp', stepUp);
    const reused = await page.request.post(`${ctx.site}/requests/${req.id}/step-up/passkey`, {
      headers: { origin: ctx.site, 'content-type': 'application/x-www-form-urlencoded' },
      data: old.toString(),
    });
    expect(reused.status()).toBe(403);
    expect(
      (await ctx.t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: audit })).body.reviews,
    ).toHaveLength(1);
    const refusedAgain = await auditEvents(ctx.t, audit, 'type=step_up.refused');
    expect(refusedAgain.map((e) => e.data.reason).sort()).toEqual(['not_verified', 'unknown']);
  }, 60_000);
});
