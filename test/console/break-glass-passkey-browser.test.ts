import type { ActionRequest } from '@countersign/shared';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, startTestServer, submit, type TestServer } from '../../server/test/harness';
import { CHROMIUM } from '../extension/chromium';
import { linkFor } from './console-client';
import { freePort } from './oidc-provider';

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

let t: TestServer;
let site: string;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  site = `http://localhost:${port}`;
  t = await startTestServer({ policy: POLICY, env: { PORT: String(port), COUNTERSIGN_PUBLIC_URL: site } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** Carol (who owns the agent) signed in by link, with a platform authenticator and a passkey added. */
async function carolWithPasskey(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  await page.goto(`${site}/auth/link?token=${await linkFor(t, 'carol@example.com')}`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${site}/`);
  await page.goto(`${site}/security`);
  await page.getByLabel('Name for the new passkey').fill('Carol laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.waitForURL(/\/security\?done=/);
  return page;
}

describe('break-glass with a passkey step-up (Chromium, virtual authenticator)', () => {
  it("the owner's break-glass form leads to the passkey step-up with the reason; the glass breaks after it", async () => {
    const page = await carolWithPasskey();
    const agent = await t.agentKey('vault-bot', 'carol@example.com');
    const req = await submit(t, agent, { action: 'vault.open', resource: 'payments' });
    expect(req.stepUp).toBe('passkey');

    await page.goto(`${site}/requests/${req.id}`);
    await page.getByLabel('Why no approver could be reached (at least 20 characters)').fill(REASON);
    await page.getByRole('button', { name: 'Continue with a passkey to break the glass' }).click();
    // The step-up page, the reason carried: nothing is approved yet.
    await page.getByRole('heading', { name: /Break the glass on/ }).waitFor();
    const audit = await t.userKey('aud@example.com', ['audit:read']);
    const read = async () =>
      (await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: audit })).body;
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
      await t.rawDb().execute({ sql: 'select id from passkeys where email = ?', args: ['carol@example.com'] })
    ).rows;
    const events = await auditEvents(t, audit, 'type=action.break_glass');
    expect(events.find((e) => e.subject === req.id)?.data).toMatchObject({
      reason: REASON,
      stepUp: { method: 'passkey', credentialId: String(registered?.id) },
    });
  }, 60_000);
});
