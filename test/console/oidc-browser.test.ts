import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../server/test/harness';
import { CHROMIUM } from '../extension/chromium';
import { serverWithIdp } from './idp-server';

// Sign-in through an OpenID provider in a real Chromium: the redirects across two origins, the IdP's
// own login form, the code exchange with PKCE, and the session cookie the browser keeps afterwards.

const POLICY = ['version: 1', 'groups:', '  reviewers: [alice@example.com]', 'rules: []', ''].join('\n');

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('console sign-in through an OpenID Connect provider, in Chromium', () => {
  it('"Sign in" goes to the IdP, its login form signs the person in, and they land on My queue', async (test) => {
    const { t, idp } = await serverWithIdp(test, POLICY, { loginForm: true });
    idp.signInAs({ sub: 'idp-alice-1', email: 'alice@example.com', email_verified: true });
    const context = await browser.newContext();
    test.onTestFinished(() => context.close());
    const page = await context.newPage();

    // The page a signed-out person sees (here after a sign-out): one button to the company's IdP.
    await page.goto(`${t.url}/auth/login?reason=ended`);
    await page.getByRole('link', { name: 'Sign in with your company account' }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    // A wrong account at the IdP is the IdP's refusal; nothing reaches Countersign.
    await page.getByLabel('Email').fill('mallory@example.com');
    await page.getByRole('button', { name: 'Sign in at the IdP' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No such account');
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByRole('button', { name: 'Sign in at the IdP' }).click();

    await page.waitForURL(`${t.url}/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('My queue');
    expect(await page.locator('.who').textContent()).toContain('alice@example.com');
    // The session is the browser's now: a later page needs no new trip to the IdP.
    await page.goto(`${t.url}/mine`);
    expect(new URL(page.url()).pathname).toBe('/mine');
    const cookies = await context.cookies(t.url);
    expect(cookies.find((c) => c.name === 'countersign')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    const started = await auditEvents(
      t,
      await t.userKey('aud@example.com', ['audit:read']),
      'type=session.started',
    );
    expect(started.map((e) => [e.subject, e.data.via])).toEqual([['user:alice@example.com', 'oidc']]);
  });
});
