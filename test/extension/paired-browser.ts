/**
 * The set-up most browser tests share: the fixture console, a real server with the fixture policy,
 * Chromium with the built extension paired to it as dave (actions:write), and alice as an approver.
 */
import type { ActionRequest } from '@countersign/shared';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness';
import { type ExtensionBrowser, launchWithExtension } from './chromium';
import { type FixtureConsole, fixturePolicy, startFixtureConsole } from './fixture-console';

export type PairedBrowser = {
  fixture: FixtureConsole;
  server: TestServer;
  browser: ExtensionBrowser;
  personKey: string;
  approverKey: string;
  /** A new tab on the fixture console, with the backend's record of hits cleared. */
  openConsole(): Promise<Page>;
  /** The requests dave's key sees, newest first. */
  requests(query?: string): Promise<ActionRequest[]>;
  /** Waits for a pending request that passes `test`. */
  pendingWhere(test: (request: ActionRequest) => boolean): Promise<ActionRequest>;
  review(id: string, decision: 'approve' | 'deny', comment?: string): Promise<number>;
  stop(): Promise<void>;
};

export async function startPairedBrowser(): Promise<PairedBrowser> {
  const fixture = await startFixtureConsole();
  const server = await startTestServer({ policy: fixturePolicy(fixture.port) });
  const personKey = await server.userKey('dave@example.com', ['actions:write']);
  const approverKey = await server.userKey('alice@example.com', ['reviews:write', 'audit:read']);
  const browser = await launchWithExtension();
  expect(await browser.pair(server.url, personKey)).toBe('Paired as dave@example.com.');
  const requests = async (query = 'limit=50') =>
    (await server.call<{ items: ActionRequest[] }>('GET', `/v1/actions?${query}`, { key: personKey })).body
      .items;
  return {
    fixture,
    server,
    browser,
    personKey,
    approverKey,
    async openConsole() {
      fixture.hits.length = 0;
      const page = await browser.context.newPage();
      await page.goto(`${fixture.origin}/console`);
      return page;
    },
    requests,
    async pendingWhere(test) {
      for (let i = 0; i < 100; i++) {
        const found = (await requests('status=pending')).find(test);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no pending request as expected');
    },
    async review(id, decision, comment) {
      const reply = await server.call('POST', `/v1/actions/${id}/reviews`, {
        key: approverKey,
        body: { decision, ...(comment && { comment }) },
      });
      return reply.status;
    },
    async stop() {
      await browser.close();
      await server.stop();
      await fixture.stop();
    },
  };
}
