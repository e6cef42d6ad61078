import { mkdir } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, submit, type TestServer } from '../../server/test/harness';
import { CHROMIUM } from '../extension/chromium';
import { linkFor } from './console-client';

// The console in a real Chromium: what a browser adds to the fetch-level tests (redirects through the
// one-time link, forms with their required fields, focus and screen-reader structure checked by axe,
// the layout on a phone). Screenshots for docs/console.md are written to docs/images/ as it runs.

const POLICY = [
  'version: 1',
  'groups:',
  '  reviewers: [alice@example.com, bob@example.com]',
  '  platform-admins: [root@example.com]',
  '  auditors: [audrey@example.com]',
  'access: { admin: [platform-admins], audit: [auditors, platform-admins] }',
  'defaults: { timeout: 30m, grantTtl: 5m }',
  'rules:',
  '  - name: prod-changes',
  '    match: { action: "**", environment: prod }',
  '    effect: review',
  '    approvers: [reviewers]',
  '  - name: everything-else',
  '    match: { action: "**" }',
  '    effect: review',
  '    approvers: [reviewers]',
  '',
].join('\n');

const SHOTS = new URL('../../docs/images/', import.meta.url).pathname;

let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  t = await startTestServer({ policy: POLICY });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  await mkdir(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function signIn(email: string, viewport = { width: 1280, height: 860 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${t.url}/auth/link?token=${await linkFor(t, email)}`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${t.url}/`);
  return page;
}

/** axe-core over the page as rendered: no serious or critical accessibility problems. */
async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(serious).toEqual([]);
}

describe('the console in Chromium', () => {
  it('signs in by link, shows the queue, and approves a request from its page', async () => {
    const agent = await t.agentKey('deploy-bot', 'carol@example.com');
    const req = await submit(t, agent, {
      action: 'terraform.apply',
      resource: 'stack/payments',
      environment: 'prod',
      justification: 'Roll out the new payment queue.',
      params: { plan: 'sha256:9f2c…', workspace: 'payments-prod', api_token: 'tfc-abcdef0123456789' },
    });
    await submit(t, agent, { action: 'db.migrate', resource: 'orders', environment: 'staging' });
    const page = await signIn('alice@example.com');
    await expect.poll(() => page.getByRole('link', { name: 'terraform.apply' }).count()).toBe(1);
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}console-queue.png`, fullPage: true });

    await page.getByRole('link', { name: 'terraform.apply' }).click();
    await page.waitForURL(`${t.url}/requests/${req.id}`);
    expect(await page.textContent('main')).not.toContain('tfc-abcdef0123456789');
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}console-request.png`, fullPage: true });

    await page.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Your approval is recorded.');
    expect(await page.locator('h1 .status').textContent()).toBe('Approved');
  });

  it('needs a reason to deny, then denies', async () => {
    const req = await submit(t, await t.agentKey('deploy-bot', 'carol@example.com'), {
      action: 'db.drop',
      resource: 'tmp',
    });
    const page = await signIn('bob@example.com');
    await page.goto(`${t.url}/requests/${req.id}`);
    await page.getByRole('button', { name: 'Deny' }).click();
    // The browser keeps the form until the required reason is there; nothing reached the server.
    expect(await page.locator('#deny-comment:invalid').count()).toBe(1);
    expect(page.url()).toBe(`${t.url}/requests/${req.id}`);
    await page.getByLabel('Reason for denying (required)').fill('Not during the freeze.');
    await page.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('Denied');
    expect(await page.textContent('main')).toContain('Not during the freeze.');
  });

  it('offers the owner of the requesting agent no Approve/Deny, only who decides', async () => {
    const req = await submit(t, await t.agentKey('alices-bot', 'alice@example.com'), {
      action: 'k8s.scale',
      resource: 'web',
    });
    const page = await signIn('alice@example.com');
    await page.goto(`${t.url}/requests/${req.id}`);
    // The core refuses self-approval, so the page does not offer it.
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Deny' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Who decides' }).textContent()).toContain(
      'Your agent alices-bot asked for this — someone in reviewers decides. You may answer their questions.',
    );
    await expectAccessible(page);
  });

  it('offers someone outside the approver groups no Approve/Deny: who decides, and why not them', async () => {
    const req = await submit(t, await t.agentKey('deploy-bot', 'carol@example.com'), {
      action: 'k8s.scale',
      resource: 'api',
    });
    // An auditor may read every request; deciding is for the approver groups, and the page says so.
    const page = await signIn('audrey@example.com');
    await page.goto(`${t.url}/requests/${req.id}`);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Deny' }).count()).toBe(0);
    const who = page.getByRole('region', { name: 'Who decides' });
    expect(await who.textContent()).toContain(
      'You are not in the approver groups of rule everything-else (reviewers), so you cannot decide it.',
    );
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}console-who-decides.png` });
  });

  it('filters the audit log and exports exactly the filtered view', async () => {
    const req = await submit(t, await t.agentKey('deploy-bot', 'carol@example.com'), {
      action: 'vault.read',
      resource: 'kv/app',
    });
    const page = await signIn('audrey@example.com');
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Subject').fill(req.id);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/subject=/);
    expect(await page.textContent('[role=status]')).toContain('events verified');
    await expectAccessible(page);
    await page.screenshot({ path: `${SHOTS}console-audit.png`, fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSV' }).click(),
    ]);
    const csv = await (await import('node:fs/promises')).readFile((await download.path()) ?? '', 'utf8');
    const rows = csv.trim().split('\n');
    expect(rows.length).toBe(2);
    expect(rows[1]).toContain(req.id);
  });

  it('makes a key shown once and revokes it, as an admin', async () => {
    const page = await signIn('root@example.com');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByLabel('Person (email)').fill('dana@example.com');
    await page.getByRole('button', { name: 'Make user key' }).click();
    const token = (await page.locator('#new-key').textContent()) ?? '';
    expect(token).toMatch(/^csk_/);
    expect((await t.call('GET', '/v1/me', { key: token })).status).toBe(200);
    await expectAccessible(page);
    // The key shown once and the forms that make one; the key table below grows with every test.
    await page.screenshot({ path: `${SHOTS}console-admin.png` });
    const id = `key_${/^csk_([0-9A-Z]{26})_/.exec(token)?.[1]}`;
    await page.getByRole('button', { name: `Revoke ${id} (user:dana@example.com)` }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`Key ${id} revoked.`);
    expect((await t.call('GET', '/v1/me', { key: token })).status).toBe(401);
  });

  it('fits a phone: no sideways scrolling on the request page', async () => {
    const req = await submit(t, await t.agentKey('deploy-bot', 'carol@example.com'), {
      action: 'aws.s3.PutObject',
      resource: 'buckets/customer-exports-with-a-rather-long-name/2026/11/30/export.csv',
      params: { bucket: 'customer-exports', pii: true, rows: 120_000 },
    });
    const page = await signIn('bob@example.com', { width: 390, height: 844 });
    await page.goto(`${t.url}/requests/${req.id}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}console-phone.png`, fullPage: true });
  });

  it('sends an expired session back to sign in, saying why', async () => {
    const page = await signIn('bob@example.com');
    await t.rawDb().execute("UPDATE console_sessions SET expires_at = 0 WHERE email = 'bob@example.com'");
    await page.goto(`${t.url}/mine`);
    await page.waitForURL(/\/auth\/login/);
    expect(await page.getByRole('status').textContent()).toContain('Your session reached its time limit.');
  });
});
