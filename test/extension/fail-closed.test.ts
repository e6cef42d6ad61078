import type { ActionRequest } from '@countersign/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness';
import { type ExtensionBrowser, launchWithExtension, settled, start, waitForCard } from './chromium';
import { type FixtureConsole, fixturePolicy, startFixtureConsole } from './fixture-console';

let fixture: FixtureConsole;
let browser: ExtensionBrowser;

beforeEach(async () => {
  fixture = await startFixtureConsole();
  browser = await launchWithExtension();
});

afterEach(async () => {
  await browser?.close();
  await fixture?.stop();
});

describe('failing closed', () => {
  it('not paired: a gated action the built-in pack names is refused, with how to fix it; the rest is untouched', async () => {
    // Unpaired, the extension matches with the default pack: point a page at an ARM URL it names.
    const page = await browser.context.newPage();
    await page.goto(`${fixture.origin}/console`);
    const armUrl =
      'https://management.azure.com/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1?api-version=2024-03-01';
    const result = (await page.evaluate(
      (url) =>
        fetch(url, { method: 'DELETE' }).then(async (r) => ({ status: r.status, body: await r.text() })),
      armUrl,
    )) as { status: number; body: string };
    expect(result.status).toBe(403);
    expect(JSON.parse(result.body)).toMatchObject({
      error: { code: 'countersign_failed', message: expect.stringContaining('not paired') },
    });
    const card = await waitForCard(page, (c) => c.state === 'refused');
    expect(card.text).toContain('azure.compute.virtualMachines.delete');
    expect(card.text).toContain('pair it');
    await start(page, 'list', 'list()');
    expect(await settled(page, 'list')).toMatchObject({ status: 200 });
  });

  it('refuses to pair over plain http with another machine, or with a key that cannot submit', async () => {
    expect(await browser.pair('http://countersign.example.com', 'csk_x_y')).toContain(
      'the server URL must start with https://',
    );
    const server = await startTestServer({ policy: fixturePolicy(fixture.port) });
    try {
      const reviewerOnly = await server.userKey('erin@example.com', ['reviews:write']);
      expect(await browser.pair(server.url, reviewerOnly)).toContain('lacks the actions:write scope');
      expect(await browser.pair(server.url, 'csk_01BADBADBADBADBADBADBADBAD_nope')).not.toContain(
        'Paired as',
      );
      expect(await browser.pair(server.url, 'AAAAA-AAAAA')).not.toContain('Paired as');
    } finally {
      await server.stop();
    }
  });

  it('the options page, once paired, shows who you are and Unpair instead of the pairing form', async () => {
    const server = await startTestServer({ policy: fixturePolicy(fixture.port) });
    try {
      const key = await server.userKey('dave@example.com', ['actions:write']);
      expect(await browser.pair(server.url, key)).toBe('Paired as dave@example.com.');
      const options = await browser.context.newPage();
      await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
      await options.waitForSelector('#paired', { state: 'visible' });
      expect(await options.textContent('#paired p')).toBe(`Paired as dave@example.com with ${server.url}.`);
      expect(await options.isVisible('#pair-form')).toBe(false);

      await options.click('#unpair');
      await options.waitForSelector('#pair-form', { state: 'visible' });
      expect(await options.isVisible('#paired')).toBe(false);
      expect(await options.textContent('#result')).toContain('Unpaired.');
      // Unpaired really: the status the popup reads says so.
      const status = await options.evaluate(
        "chrome.runtime.sendMessage({ type: 'status' }).then((s) => s.paired)",
      );
      expect(status).toBe(false);
      await options.close();
    } finally {
      await server.stop();
    }
  });

  it('server unreachable: the held action is refused and never sent; it goes through again once the server is back', async () => {
    let server: TestServer = await startTestServer({ policy: fixturePolicy(fixture.port) });
    const key = await server.userKey('dave@example.com', ['actions:write']);
    expect(await browser.pair(server.url, key)).toBe('Paired as dave@example.com.');
    const { dir, url } = server;
    await server.stop({ keepDir: true });

    const page = await browser.context.newPage();
    await page.goto(`${fixture.origin}/console`);
    await start(page, 'assign', 'assignRole("ra-down")');
    const result = await settled(page, 'assign', 20_000);
    expect(result).toMatchObject({ status: 403, outcome: 'failed' });
    expect(result.body).toContain('cannot be reached');
    const card = await waitForCard(page, (c) => c.state === 'refused');
    expect(card.text).toContain(url);
    expect(card.text).toContain('Check that the Countersign server is up');
    expect(fixture.hitsTo('roleAssignments')).toEqual([]);

    // Back on the same address and database: the next attempt is held for review as usual.
    const port = new URL(url).port;
    server = await startTestServer({ policy: fixturePolicy(fixture.port), dir, env: { PORT: port } });
    try {
      await start(page, 'again', 'assignRole("ra-back")');
      let pending: ActionRequest | undefined;
      for (let i = 0; i < 100 && !pending; i++) {
        const list = await server.call<{ items: ActionRequest[] }>('GET', '/v1/actions?status=pending', {
          key,
        });
        pending = list.body.items.find((r) => r.resource?.endsWith('ra-back'));
        if (!pending) await new Promise((r) => setTimeout(r, 100));
      }
      expect(pending).toBeDefined();
    } finally {
      await server.stop();
    }
  });
});
