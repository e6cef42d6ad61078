/**
 * Real headless Chromium (Debian's /usr/bin/chromium) with the built extension loaded, driven by
 * playwright-core. Helpers read the overlay through the DevTools protocol, which sees into closed
 * shadow roots — page scripts cannot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { buildDir } from './build-dir';

export const CHROME_BUILD = join(buildDir(), 'chrome-mv3');
export const FIREFOX_BUILD = join(buildDir(), 'firefox-mv3');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type ExtensionBrowser = {
  context: BrowserContext;
  extensionId: string;
  worker(): Promise<Worker>;
  /** Opens the options page, pairs, and answers the text the page shows. */
  pair(serverUrl: string, secret: string): Promise<string>;
  close(): Promise<void>;
};

/**
 * `hostMap`: host names to send to a local address (`--host-resolver-rules`), so fixture pages can be
 * served under the real consoles' names, over TLS with a certificate the browser is told to accept.
 */
export async function launchWithExtension(
  options: { hostMap?: Record<string, string> } = {},
): Promise<ExtensionBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'countersign-chromium-'));
  const rules = Object.entries(options.hostMap ?? {}).map(([host, to]) => `MAP ${host} ${to}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(rules.length > 0 && { ignoreHTTPSErrors: true }),
    args: [
      ...(rules.length > 0
        ? [`--host-resolver-rules=${rules.join(', ')}`, '--ignore-certificate-errors']
        : []),
      `--disable-extensions-except=${CHROME_BUILD}`,
      `--load-extension=${CHROME_BUILD}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const worker = async () => context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL((await worker()).url()).host;
  return {
    context,
    extensionId,
    worker,
    async pair(serverUrl, secret) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/options.html`);
      await page.fill('#server-url', serverUrl);
      await page.fill('#secret', secret);
      await page.click('#pair');
      await page.waitForFunction(() => {
        const text = document.getElementById('result')?.textContent ?? '';
        return text !== '' && text !== 'Pairing…';
      });
      const text = (await page.textContent('#result')) ?? '';
      await page.close();
      return text;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export type PageResult = {
  state: 'pending' | 'done';
  status?: number;
  body?: string;
  outcome?: string | null;
};

/** Starts one of the fixture page's console actions; its outcome lands in `window.results[name]`. */
export async function start(page: Page, name: string, call: string): Promise<void> {
  await page.evaluate(`window.run(${JSON.stringify(name)}, window.consoleActions.${call})`);
}

export async function resultOf(page: Page, name: string): Promise<PageResult | undefined> {
  return (await page.evaluate(`window.results[${JSON.stringify(name)}]`)) as PageResult | undefined;
}

export async function settled(page: Page, name: string, timeoutMs = 15_000): Promise<PageResult> {
  await page.waitForFunction(
    (n) => (window as unknown as { results: Record<string, { state: string }> }).results[n]?.state === 'done',
    name,
    { timeout: timeoutMs },
  );
  return (await resultOf(page, name)) as PageResult;
}

type OverlayCard = { holdId: string; state: string; outcome?: string; text: string };

/** The overlay's cards, read through the DevTools protocol (the shadow root is closed to the page). */
export async function overlayCards(page: Page): Promise<OverlayCard[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode };
    const host = findNode(root, (n) => n.localName === 'countersign-overlay');
    const shadow = host?.shadowRoots?.[0];
    if (!shadow) return [];
    const cards: OverlayCard[] = [];
    walk(shadow, (n) => {
      if (n.localName !== 'section') return;
      const attrs = attributes(n);
      cards.push({
        holdId: attrs['data-hold-id'] ?? '',
        state: attrs['data-state'] ?? '',
        ...(attrs['data-outcome'] && { outcome: attrs['data-outcome'] }),
        text: textOf(n),
      });
    });
    return cards;
  } finally {
    await cdp.detach();
  }
}

/** Clicks a button inside the overlay (by its text) where a person would: at its place on screen. */
export async function clickInOverlay(page: Page, label: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode };
    const host = findNode(root, (n) => n.localName === 'countersign-overlay');
    const button =
      host?.shadowRoots?.[0] &&
      findNode(host.shadowRoots[0], (n) => n.localName === 'button' && textOf(n) === label);
    if (!button) throw new Error(`no "${label}" button in the overlay`);
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: button.backendNodeId })) as {
      model: { content: number[] };
    };
    const [x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = model.content;
    await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
  } finally {
    await cdp.detach();
  }
}

export async function waitForCard(
  page: Page,
  test: (card: OverlayCard) => boolean,
  timeoutMs = 15_000,
): Promise<OverlayCard> {
  const deadline = Date.now() + timeoutMs;
  let last: OverlayCard[] = [];
  while (Date.now() < deadline) {
    last = await overlayCards(page);
    const card = last.find(test);
    if (card) return card;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no overlay card as expected; the overlay shows ${JSON.stringify(last)}`);
}

type CdpNode = {
  nodeType: number;
  localName?: string;
  nodeValue?: string;
  backendNodeId: number;
  attributes?: string[];
  children?: CdpNode[];
  shadowRoots?: CdpNode[];
  contentDocument?: CdpNode;
};

function walk(node: CdpNode, visit: (n: CdpNode) => void): void {
  visit(node);
  for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) walk(child, visit);
  if (node.contentDocument) walk(node.contentDocument, visit);
}

function findNode(node: CdpNode, test: (n: CdpNode) => boolean): CdpNode | undefined {
  let found: CdpNode | undefined;
  walk(node, (n) => {
    if (!found && test(n)) found = n;
  });
  return found;
}

function attributes(node: CdpNode): Record<string, string> {
  const out: Record<string, string> = {};
  const list = node.attributes ?? [];
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i] as string] = list[i + 1] as string;
  return out;
}

function textOf(node: CdpNode): string {
  const parts: string[] = [];
  walk(node, (n) => {
    if (n.nodeType === 3 && n.nodeValue) parts.push(n.nodeValue);
  });
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * Stops the extension's service worker, as the browser does to an idle one, and leaves a marker
 * check: `restarted()` is true once a new worker instance (without the old one's memory) runs.
 */
export async function stopServiceWorker(
  browser: ExtensionBrowser,
  page: Page,
): Promise<() => Promise<boolean>> {
  await (await browser.worker()).evaluate('globalThis.__countersignTestMarker = true');
  const cdp = await browser.context.newCDPSession(page);
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as {
      targetInfos: { targetId: string; type: string; url: string }[];
    };
    const worker = targetInfos.find(
      (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${browser.extensionId}/`),
    );
    if (!worker) throw new Error('the extension has no running service worker');
    await cdp.send('Target.closeTarget', { targetId: worker.targetId });
  } finally {
    await cdp.detach();
  }
  return async () => {
    const workers = browser.context.serviceWorkers();
    const latest = workers[workers.length - 1];
    if (!latest) return false;
    try {
      return (await latest.evaluate('globalThis.__countersignTestMarker')) === undefined;
    } catch {
      return false;
    }
  };
}

/**
 * Runs `expression` in a fresh isolated world of the page's main frame (DevTools protocol): code with
 * its own, unwrapped `fetch` and `sendBeacon` — what page code holding a reference taken before the
 * hook, or undoing it, would have. Only the network backstop stands in its way.
 */
export async function evaluateAroundHook(page: Page, expression: string): Promise<unknown> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    const { executionContextId } = (await cdp.send('Page.createIsolatedWorld', {
      frameId: frameTree.frame.id,
      worldName: 'around-the-hook',
    })) as { executionContextId: number };
    const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', {
      expression,
      contextId: executionContextId,
      awaitPromise: true,
      returnByValue: true,
    })) as { result: { value?: unknown }; exceptionDetails?: { text: string } };
    if (exceptionDetails) throw new Error(exceptionDetails.text);
    return result.value;
  } finally {
    await cdp.detach();
  }
}
