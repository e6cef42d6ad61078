import type { ActionRequest } from '@countersign/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../../server/test/harness';
import { clickInOverlay, evaluateAroundHook, settled, start, waitForCard } from './chromium';
import { type FixtureConsole, SUBSCRIPTION } from './fixture-console';
import { type PairedBrowser, startPairedBrowser } from './paired-browser';

let t: PairedBrowser;
let fixture: FixtureConsole;
let server: TestServer;
let personKey: string;
let approverKey: string;
let page: Page;

beforeAll(async () => {
  t = await startPairedBrowser();
  ({ fixture, server, personKey, approverKey } = t);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

beforeEach(async () => {
  page = await t.openConsole();
});

const pendingRequests = () => t.requests('status=pending');

/** An expression for evaluateAroundHook: the page's request, made with an unwrapped fetch. */
const aroundFetch = (url: string, method: string) =>
  `fetch(${JSON.stringify(url)}, { method: ${JSON.stringify(method)}${method === 'GET' ? '' : ", body: '{}'"} })` +
  `.then((r) => ({ status: r.status }), (e) => ({ status: 0, body: String(e) }))`;

/** The pending request whose resource ends with `resource`. */
const latestPending = (resource: string) => t.pendingWhere((r) => r.resource?.endsWith(resource) === true);

describe('the network backstop and untrusted page messages', () => {
  it('blocks gated requests that go around the hook at the network layer: an unwrapped fetch, a beacon, a worker', async () => {
    const role = `${fixture.origin}/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments/ra-around?api-version=2022-04-01`;
    const keys = `${fixture.origin}/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/listKeys`;
    const unwrapped = await evaluateAroundHook(page, aroundFetch(role, 'PUT'));
    expect(unwrapped).toMatchObject({ status: 0, body: expect.stringContaining('Failed to fetch') });
    expect(await evaluateAroundHook(page, `navigator.sendBeacon(${JSON.stringify(keys)}, 'x')`)).toBe(true);
    const worker = await page.evaluate('window.consoleActions.workerFetch("ra-worker")');
    expect(worker).toMatchObject({ status: 0, body: expect.stringContaining('Failed to fetch') });
    // Control: the same unwrapped fetch reaches the console for a method no rule names.
    expect(await evaluateAroundHook(page, aroundFetch(role, 'GET'))).toEqual({ status: 200 });
    await new Promise((r) => setTimeout(r, 500));
    expect(fixture.hitsTo('roleAssignments', 'PUT')).toEqual([]);
    expect(fixture.hitsTo('listKeys')).toEqual([]);
    expect(await pendingRequests()).toEqual([]);
  });

  it('holds a fetch from a fresh about:blank iframe too: the hook is in every frame', async () => {
    await start(page, 'iframe', 'iframeFetch("ra-iframe")');
    const held = await latestPending('roleAssignments/ra-iframe');
    expect(held.context).toMatchObject({ via: 'fetch', frameUrl: 'about:blank' });
    // The overlay is drawn in the top frame, whichever frame asked.
    await waitForCard(page, (c) => c.state === 'waiting' && c.text.includes('ra-iframe'));
    await server.call('POST', `/v1/actions/${held.id}/reviews`, {
      key: approverKey,
      body: { decision: 'deny', comment: 'no' },
    });
    expect(await settled(page, 'iframe')).toMatchObject({ status: 403, outcome: 'denied' });
    expect(fixture.hitsTo('roleAssignments')).toEqual([]);
  });

  it('lets only the approved request through the block, and closes the gap once it is sent', async () => {
    await start(page, 'assign', 'assignRole("ra-once")');
    const held = await latestPending('roleAssignments/ra-once');
    await waitForCard(page, (c) => c.state === 'waiting' && c.text.includes(held.resource ?? '?'));
    await server.call('POST', `/v1/actions/${held.id}/reviews`, {
      key: approverKey,
      body: { decision: 'approve' },
    });
    expect(await settled(page, 'assign')).toMatchObject({ status: 200 });
    // Once the page reported it sent, the lift is gone: the same URL from around the hook is blocked again.
    await waitForCard(page, (c) => c.state === 'released');
    await new Promise((r) => setTimeout(r, 300));
    const again = `${fixture.origin}/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments/ra-once?api-version=2022-04-01`;
    expect(await evaluateAroundHook(page, aroundFetch(again, 'PUT'))).toMatchObject({ status: 0 });
    expect(fixture.hitsTo('roleAssignments/ra-once', 'PUT')).toHaveLength(1);
  });

  it('ignores approvals forged by the page: window messages and a port of its own', async () => {
    await start(page, 'assign', 'assignRole("ra-forged")');
    const held = await latestPending('roleAssignments/ra-forged');
    const card = await waitForCard(
      page,
      (c) => c.state === 'waiting' && c.text.includes(held.resource ?? '?'),
    );
    await page.evaluate((holdId) => {
      const forged = [
        { type: 'release', holdId },
        { type: 'decision', holdId, release: true, outcome: 'approved', message: 'ok' },
        { type: 'rules', consoles: [] },
      ];
      for (const message of forged) window.postMessage(message, '*');
      const channel = new MessageChannel();
      window.postMessage({ 'countersign:port': true }, '*', [channel.port2]);
      channel.port1.postMessage({ type: 'release', holdId });
    }, card.holdId);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await page.evaluate('window.results.assign')) as { state: string }).toMatchObject({
      state: 'pending',
    });
    expect(fixture.hitsTo('roleAssignments')).toEqual([]);
    const still = await server.call<ActionRequest>('GET', `/v1/actions/${held.id}`, { key: personKey });
    expect(still.body.status).toBe('pending');

    await server.call('POST', `/v1/actions/${held.id}/reviews`, {
      key: approverKey,
      body: { decision: 'deny', comment: 'forged' },
    });
    expect(await settled(page, 'assign')).toMatchObject({ status: 403, outcome: 'denied' });
    expect(fixture.hitsTo('roleAssignments')).toEqual([]);
  });

  it('holds a form submission a rule names, and submits the form once when approved', async () => {
    await Promise.all([page.click('#keys-submit'), waitForCard(page, (c) => c.state === 'waiting')]);
    const held = await latestPending('rg-prod/acct1');
    expect(held).toMatchObject({
      action: 'azure.storage.storageAccounts.listKeys.action',
      context: { via: 'form' },
      params: { method: 'POST', body: 'reason=rotate' },
    });
    expect(fixture.hitsTo('listKeys')).toEqual([]);
    await Promise.all([
      page.waitForURL(/listKeys/),
      server.call('POST', `/v1/actions/${held.id}/reviews`, {
        key: approverKey,
        body: { decision: 'approve' },
      }),
    ]);
    expect(fixture.hitsTo('listKeys', 'POST')).toMatchObject([{ body: 'reason=rotate' }]);
  });

  it('cancels from the overlay: the request is withdrawn on the server and the page’s call fails', async () => {
    await start(page, 'assign', 'assignRole("ra-cancel")');
    const held = await latestPending('roleAssignments/ra-cancel');
    await waitForCard(page, (c) => c.state === 'waiting' && c.text.includes(held.resource ?? '?'));
    await clickInOverlay(page, 'Cancel');
    expect(await settled(page, 'assign')).toMatchObject({ status: 403, outcome: 'cancelled' });
    const card = await waitForCard(page, (c) => c.outcome === 'cancelled');
    expect(card.text).toContain('Cancelled');
    const after = await server.call<ActionRequest>('GET', `/v1/actions/${held.id}`, { key: personKey });
    expect(after.body.status).toBe('cancelled');
    expect(fixture.hitsTo('roleAssignments')).toEqual([]);
  });
});
