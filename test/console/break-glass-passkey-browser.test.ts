import type { ActionRequest } from '@countersign/shared';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { auditEvents, submit } from '../../server/test/harness';
import { usePasskeyConsole } from './passkey-console';

// Issue 16 × step-up in a real Chromium with a virtual authenticator (as passkey-browser.test.ts): on a
// `stepUp: passkey` rule that allows break-glass, the agent's owner breaks the glass from the request
// page only through a passkey step-up made for it, the reason carried through the step-up page.

const POLICY = [
  'version: 1',
  'groups:',
  '  reviewers: [alice@example.com, bob@example.com]',
  'defaults: { timeout: 15m, grantTtl: 5m }',
  'rules:',
  '  - name: vault-opens',
  '    match: { action: "vault.*" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '    stepUp: passkey',
  '    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }',
  '',
].join('\n');
const REASON = 'The vault team is unreachable and the outage is spreading.';

const ctx = usePasskeyConsole(POLICY);

/** Carol (who owns the agent) signed in by link, with a platform authenticator and a passkey added. */
async function carolWithPasskey(): Promise<Page> {
  const page = await ctx.signedIn('carol@example.com');
  await page.goto(`${ctx.site}/security`);
  await page.getByLabel('Name for the new passkey').fill('Carol laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.waitForURL(/\/security\?done=/);
  return page;
}

describe('break-glass with a passkey step-up (Chromium, virtual authenticator)', () => {
  it("the owner's break-glass form leads to the passkey step-up with the reason; the glass breaks after it", async () => {
    const page = await carolWithPasskey();
    const agent = await ctx.t.agentKey('vault-bot', 'carol@example.com');
    const req = await submit(ctx.t, agent, { action: 'vault.open', resource: 'payments' });
    expect(req.stepUp).toBe('passkey');

    await page.goto(`${ctx.site}/requests/${req.id}`);
    await page.getByLabel('Why no approver could be reached (at least 20 characters)').fill(REASON);
    await page.getByRole('button', { name: 'Continue with a passkey to break the glass' }).click();
    // The step-up page, the reason carried: nothing is approved yet.
    await page.getByRole('heading', { name: /Break the glass on/ }).waitFor();
    const audit = await ctx.t.userKey('aud@example.com', ['audit:read']);
    const read = async () =>
      (await ctx.t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: audit })).body;
    expect((await read()).status).toBe('pending');
    expect(
      await page.getByLabel('Why no approver could be reached (at least 20 characters)').inputValue(),
    ).toBe(REASON);

    await page.getByRole('button', { name: 'Break the glass with a passkey' }).click();
    await page.waitForURL(new RegExp(`/requests/${req.id}\\?done=`));
    expect(await read()).toMatchObject({
      status: 'approved',
      breakGlass: { reason: REASON, by: 'user:carol@example.com', followUp: { status: 'open' } },
    });
    const [registered] = (
      await ctx.t
        .rawDb()
        .execute({ sql: 'select id from passkeys where email = ?', args: ['carol@example.com'] })
    ).rows;
    const events = await auditEvents(ctx.t, audit, 'type=action.break_glass');
    expect(events.find((e) => e.subject === req.id)?.data).toMatchObject({
      reason: REASON,
      stepUp: { method: 'passkey', credentialId: String(registered?.id) },
    });
  }, 60_000);
});
