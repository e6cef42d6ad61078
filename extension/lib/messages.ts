/**
 * The one typed messaging module: every message between the extension's parts. Content scripts,
 * the popup and the options page ask the background (`ask`); the background tells a tab's frames
 * (`tell`). Each side checks that a message is one of these types; the background trusts the sender
 * information the browser attaches (tab, frame, URL), not fields a content script could fill in.
 */
import type { Runtime } from 'webextension-polyfill';
import browser from 'webextension-polyfill';
import type { HoldView } from './holds-model';
import type { PageRequest } from './page-protocol';

export type Who = { id: string; email?: string; name?: string };

export type Status = {
  paired: boolean;
  serverUrl?: string;
  user?: Who;
  health: 'ok' | 'unreachable' | 'not paired';
  rules: {
    version: string;
    count: number;
    from: 'server' | 'bundled';
    /** Rules that did not compile (left out), and rules with no network-layer block (why). */
    problems: string[];
    unenforced: string[];
    /** How many rules have a network-layer block; which of them block more broadly than the rule. */
    blocked: number;
    broadened: string[];
    error?: string;
  };
  holds: HoldView[];
};

export type PairResult = { ok: true; user: Who } | { ok: false; error: string };

/** Requests to the background, each with the answer it gets. */
export type BackgroundApi = {
  hold: { in: { holdId: string; request: PageRequest; copilot?: string }; out: HoldView };
  sent: { in: { holdId: string }; out: null };
  /** `left`: the page that asked was closed or navigated away, rather than the person pressing Cancel. */
  cancel: { in: { holdId: string; left?: boolean }; out: HoldView | null };
  tabHolds: { in: Record<string, never>; out: HoldView[] };
  status: { in: Record<string, never>; out: Status };
  pair: { in: { serverUrl: string; secret: string }; out: PairResult };
  unpair: { in: Record<string, never>; out: null };
};
export type BackgroundRequest = {
  [K in keyof BackgroundApi]: { type: K } & BackgroundApi[K]['in'];
}[keyof BackgroundApi];

/** What the background tells a tab: a decision for the frame that made the request; the overlay's holds. */
export type TabNotice =
  | { type: 'decision'; holdId: string; release: boolean; outcome: string; message: string }
  | { type: 'holds'; holds: HoldView[] };

export function ask<K extends keyof BackgroundApi>(
  type: K,
  data: BackgroundApi[K]['in'],
): Promise<BackgroundApi[K]['out']> {
  return browser.runtime.sendMessage({ ...data, type }) as Promise<BackgroundApi[K]['out']>;
}

export type Handlers = {
  [K in keyof BackgroundApi]: (
    data: Extract<BackgroundRequest, { type: K }>,
    sender: Runtime.MessageSender,
  ) => Promise<BackgroundApi[K]['out']>;
};

/** Requests only the extension's own pages (options, popup) may make, never a content script. */
const PAGES_ONLY: ReadonlySet<string> = new Set(['status', 'pair', 'unpair']);

/** Registers the background's handlers; a message of no known type, or from another extension, is ignored. */
export function serveBackground(handlers: Handlers): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    if (sender.id !== browser.runtime.id) return undefined;
    const type = (message as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !Object.hasOwn(handlers, type)) return undefined;
    const ownPage = sender.url?.startsWith(browser.runtime.getURL('/')) === true;
    if (PAGES_ONLY.has(type) && !ownPage) return undefined;
    const handler = handlers[type as keyof BackgroundApi] as (
      m: unknown,
      s: typeof sender,
    ) => Promise<unknown>;
    return handler(message, sender);
  });
}

/** Sends a notice to one frame of a tab; false when nothing there listens any more (closed, navigated). */
export async function tell(tabId: number, frameId: number, notice: TabNotice): Promise<boolean> {
  try {
    await browser.tabs.sendMessage(tabId, notice, { frameId });
    return true;
  } catch {
    return false;
  }
}

export function onNotice(listener: (notice: TabNotice) => void): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    if (sender.id !== browser.runtime.id || sender.tab) return undefined;
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'decision' || type === 'holds') listener(message as TabNotice);
    return undefined;
  });
}
