import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness';
import { CHROMIUM } from '../extension/chromium';
import { linkFor } from './console-client';
import { freePort } from './oidc-provider';

/**
 * A console served and announced as http://localhost:PORT (WebAuthn refuses an IP address as the RP
 * ID) and one Chromium, for a test file's passkey tests; `signedIn` opens a fresh context with a
 * virtual platform authenticator that verifies its user (CDP WebAuthn domain) and signs `email` in by
 * a one-time link.
 */
export function usePasskeyConsole(policy: string) {
  const state: { t?: TestServer; site?: string; browser?: Browser } = {};
  beforeAll(async () => {
    const port = await freePort();
    state.site = `http://localhost:${port}`;
    state.t = await startTestServer({
      policy,
      env: { PORT: String(port), COUNTERSIGN_PUBLIC_URL: state.site },
    });
    state.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 60_000);
  afterAll(async () => {
    await state.browser?.close();
    await state.t?.stop();
  });
  const ready = () => {
    const { t, site, browser } = state;
    if (!t || !site || !browser) throw new Error('usePasskeyConsole: used outside its tests');
    return { t, site, browser };
  };
  return {
    get t(): TestServer {
      return ready().t;
    },
    get site(): string {
      return ready().site;
    },
    async signedIn(email: string): Promise<Page> {
      const { t, site, browser } = ready();
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
      await page.goto(`${site}/auth/link?token=${await linkFor(t, email)}`);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${site}/`);
      return page;
    },
  };
}
