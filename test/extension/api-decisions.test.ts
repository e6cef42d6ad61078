import type { ActionRequest } from '@countersign/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../../server/test/harness';
import {
  type ExtensionBrowser,
  overlayCards,
  settled,
  start,
  stopServiceWorker,
  waitForCard,
} from './chromium';
import type { FixtureConsole } from './fixture-console';
import { type PairedBrowser, startPairedBrowser } from './paired-browser';

let t: PairedBrowser;
let fixture: FixtureConsole;
let server: TestServer;
let browser: ExtensionBrowser;
let personKey: string;
let approverKey: string;
let page: Page;

beforeAll(async () => {
  t = await startPairedBrowser();
  ({ fixture, server, browser, personKey, approverKey } = t);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

beforeEach(async () => {
  page = await t.openConsole();
});

/** The server's record of the request the extension submitted for this hold. */
const submitted = (action: string) => t.pendingWhere((r) => r.action === action);

describe('a paired Chromium holding console actions, decided through the API', () => {
  it('holds a role assignment, shows the overlay, and sends it exactly once when approved', async () => {
    await start(page, 'assign', 'assignRole("ra-approve")');
    const held = await submitted('azure.authorization.roleAssignments.write');
    expect(held).toMatchObject({
      source: 'extension',
      resource: expect.stringContaining('/roleAssignments/ra-approve'),
      requester: { id: 'user:dave@example.com' },
      params: { method: 'PUT', url: expect.stringContaining('/roleAssignments/ra-approve?api-version=') },
      context: { rule: 'fixture-azure-role-assignment', initiator: 'page', via: 'fetch' },
    });
    const card = await waitForCard(page, (c) => c.state === 'waiting' && c.text.includes('Approvals 0 of 1'));
    expect(card.text).toContain('azure.authorization.roleAssignments.write');
    // From whom and where, and the id an approver types in Slack.
    expect(card.text).toContain('Approvals 0 of 1 from sre · #ops-approvals');
    await waitForCard(page, (c) => c.holdId === card.holdId && c.text.includes(`/approve ${held.id}`));
    expect(card.text).toMatch(/expires in \d+:\d\d/);
    expect(fixture.hitsTo('roleAssignments')).toHaveLength(0);

    // The popup: who this browser is paired as, whether the server answers, what is in flight.
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await popup.waitForFunction(() =>
      document.getElementById('holds')?.textContent?.includes('roleAssignments'),
    );
    expect(await popup.textContent('#user')).toBe('dave@example.com');
    expect(await popup.textContent('#server')).toBe(`${server.url} — reachable`);
    expect(await popup.textContent('#rules')).toMatch(/^\d+ rules, from the server \(sha256:/);
    expect(await popup.textContent('#holds')).toContain(
      'azure.authorization.roleAssignments.write on subscriptions/',
    );
    expect(await popup.textContent('#holds')).toContain('approvals 0 of 1 · #ops-approvals');
    await popup.close();

    expect(await t.review(held.id, 'approve', 'looks right')).toBe(200);
    const result = await settled(page, 'assign');
    expect(result.status).toBe(200);
    expect(fixture.hitsTo('roleAssignments/ra-approve', 'PUT')).toHaveLength(1);
    const done = await waitForCard(page, (c) => c.holdId === card.holdId && c.state === 'released');
    expect(done.text).toContain('Approved by alice@example.com');

    const after = await server.call<ActionRequest>('GET', `/v1/actions/${held.id}`, { key: personKey });
    expect(after.body.status).toBe('approved');
    expect(after.body.grant).toBeUndefined(); // spent by the extension
    const audit = await server.call('GET', '/v1/audit?type=grant.redeemed', { key: approverKey });
    expect(JSON.stringify(audit.body)).toContain(held.id);
  });

  it('holds a person’s click in a console page, with the overlay over it (the docs’ screenshot)', async () => {
    const portal = await browser.context.newPage();
    await portal.goto(`${fixture.origin}/portal`);
    await portal.click('#assign');
    const held = await t.pendingWhere((r) => r.resource?.endsWith('/ra-portal') === true);
    const card = await waitForCard(portal, (c) => c.text.includes(`/approve ${held.id}`));
    expect(card.text).toContain('Approvals 0 of 1 from sre · #ops-approvals');
    await portal.screenshot({ path: 'test-results/extension-overlay.png' });
    expect(await t.review(held.id, 'deny', 'Screenshot taken.')).toBe(200);
    await portal.waitForFunction(
      () => (window as unknown as { results: { assign: { state: string } } }).results.assign.state === 'done',
    );
    expect(fixture.hitsTo('roleAssignments/ra-portal')).toEqual([]);
    await portal.close();
  });

  it('refuses the page’s call with the reviewer’s reason when denied', async () => {
    await start(page, 'assign', 'assignRole("ra-deny")');
    const held = await submitted('azure.authorization.roleAssignments.write');
    expect(await t.review(held.id, 'deny', 'Not during the change freeze.')).toBe(200);
    const result = await settled(page, 'assign');
    expect(result.status).toBe(403);
    expect(result.outcome).toBe('denied');
    // As the approval card says it ("Approved by alice@example.com"): the person, their own words
    // quoted as written — no `user:` prefix, no capitalised action name, no doubled period.
    const sentence = 'Denied by alice@example.com: “Not during the change freeze.”';
    expect(JSON.parse(result.body ?? '{}')).toEqual({
      error: { code: 'countersign_denied', message: sentence },
    });
    const card = await waitForCard(page, (c) => c.state === 'refused');
    expect(card.text).toContain(sentence);
    expect(card.text).toContain(`Request ${held.id}`);
    expect(fixture.hitsTo('roleAssignments')).toHaveLength(0);
  });

  it('refuses it when the request expires with no decision', async () => {
    await start(page, 'assign', 'assignRole("expire-soon")');
    const result = await settled(page, 'assign');
    expect(result).toMatchObject({ status: 403, outcome: 'expired' });
    const card = await waitForCard(page, (c) => c.outcome === 'expired');
    expect(card.text).toContain('expired');
    expect(fixture.hitsTo('roleAssignments')).toHaveLength(0);
  });

  it('survives the browser stopping the service worker while a request is held', async () => {
    await start(page, 'assign', 'assignRole("ra-restart")');
    const held = await submitted('azure.authorization.roleAssignments.write');
    const card = await waitForCard(page, (c) => c.state === 'waiting' && c.text.includes('ra-restart'));
    const restarted = await stopServiceWorker(browser, page);
    expect(await t.review(held.id, 'approve')).toBe(200);
    // The page's bridge checks in every few seconds; that wakes a new worker, which reads the hold
    // from storage.session, resumes the wait and finds the approval.
    const result = await settled(page, 'assign', 20_000);
    expect(result.status).toBe(200);
    expect(await restarted()).toBe(true);
    expect(fixture.hitsTo('roleAssignments/ra-restart', 'PUT')).toHaveLength(1);
    const done = await waitForCard(page, (c) => c.holdId === card.holdId && c.state === 'released');
    expect(done.text).toContain('Approved by alice@example.com');
    const mine = await server.call<{ items: ActionRequest[] }>('GET', '/v1/actions?limit=50', {
      key: personKey,
    });
    expect(mine.body.items.filter((r) => r.resource?.endsWith('ra-restart'))).toHaveLength(1);
  });

  it('leaves requests no rule names alone', async () => {
    await start(page, 'list', 'list()');
    await start(page, 'write', 'write()');
    expect(await settled(page, 'list')).toMatchObject({ status: 200 });
    expect(await settled(page, 'write')).toMatchObject({ status: 200 });
    expect(fixture.hitsTo('/api/list', 'GET')).toHaveLength(1);
    expect(fixture.hitsTo('/api/settings', 'POST')).toHaveLength(1);
    expect(await overlayCards(page)).toEqual([]);
  });
});
