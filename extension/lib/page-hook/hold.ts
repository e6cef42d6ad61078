/**
 * The one step every wrapper shares: is this request gated, and if so, hold it — hand it to the
 * bridge over the private port and wait for `release` or `refuse`. The wrappers (fetch, XHR,
 * sendBeacon, forms) differ only in how they read a request and how they let it go or fail it.
 *
 * The hook trusts only its private port, never a `window` message: this world belongs to the page.
 */
import type { CompiledConsoleRules } from '@countersign/shared/consoles';
import { consoleRequestMayMatch, matchConsoleRequest } from '@countersign/shared/consoles';
import { COPILOT_WINDOW_MS, copilotAt } from '../copilots';
import type { FromPage, PageRequest, ToPage } from '../page-protocol';
import { PORT_HANDOFF } from '../page-protocol';
import { compileRules } from '../rules';

export type Decision = { release: true } | { release: false; outcome: string; message: string };

export type Holder = {
  /** The rules from the bridge; undefined until they arrive. */
  rules(): CompiledConsoleRules | undefined;
  /**
   * The synchronous first look: true when the rules are here and none names this method and URL,
   * so the request goes out at once. Almost every request ends here.
   */
  passes(method: string, url: string): boolean;
  /** Resolved as the browser resolves it: against the document's base URL (`<base href>`, a srcdoc's parent). */
  absolute(url: string): string;
  /** Is this request gated? Resolves with the held request when it is; reads the body only if a rule may match. */
  gated(
    request: Omit<PageRequest, 'body'>,
    body: () => Promise<string | undefined>,
  ): Promise<PageRequest | undefined>;
  /** Hands the request to the bridge and waits for the decision; no bridge means no decision: refuse. */
  hold(request: PageRequest): { holdId: string; decision: Promise<Decision> };
  /** Tells the bridge a released request went out, so the backstop's gap closes at once. */
  sent(holdId: string, status: number): void;
};

export function createHolder(win: Window & typeof globalThis): Holder {
  let port: MessagePort | undefined;
  let rules: CompiledConsoleRules | undefined;
  const rulesWaiters: (() => void)[] = [];
  const waiting = new Map<string, (decision: Decision) => void>();
  let lastInteraction: { at: number; copilot: string | undefined } = { at: 0, copilot: undefined };

  // The bridge's port: the first `window` message that carries one, which the bridge posts at
  // document_start before any page script can post. Stopped here so no page listener sees it.
  const takePort = (event: MessageEvent) => {
    if (event.source !== win || !event.data || event.data[PORT_HANDOFF] !== true || !event.ports[0]) return;
    event.stopImmediatePropagation();
    win.removeEventListener('message', takePort, true);
    port = event.ports[0];
    port.onmessage = (e: MessageEvent<ToPage>) => onBridgeMessage(e.data);
  };
  win.addEventListener('message', takePort, true);

  function onBridgeMessage(message: ToPage): void {
    if (message.type === 'rules') {
      rules = compileRules(message.consoles);
      for (const wake of rulesWaiters.splice(0)) wake();
      return;
    }
    const resolve = waiting.get(message.holdId);
    if (!resolve) return;
    waiting.delete(message.holdId);
    resolve(
      message.type === 'release'
        ? { release: true }
        : { release: false, outcome: message.outcome, message: message.message },
    );
  }

  // Which copilot panel, if any, the person last clicked or typed in.
  const noteInteraction = (event: Event) => {
    if (!event.isTrusted) return;
    lastInteraction = { at: Date.now(), copilot: copilotAt(event.composedPath())?.id };
  };
  for (const type of ['pointerdown', 'keydown'])
    win.addEventListener(type, noteInteraction, { capture: true, passive: true });

  const post = (message: FromPage) => port?.postMessage(message);

  function rulesReady(): Promise<void> {
    return rules ? Promise.resolve() : new Promise((resolve) => rulesWaiters.push(resolve));
  }

  return {
    rules: () => rules,
    passes: (method, url) => rules !== undefined && !consoleRequestMayMatch(rules, method, url),
    absolute(url) {
      try {
        return new URL(url, win.document.baseURI).href;
      } catch {
        return url;
      }
    },
    async gated(request, body) {
      await rulesReady();
      if (!rules || !consoleRequestMayMatch(rules, request.method, request.url)) return undefined;
      const held: PageRequest = { ...request };
      const text = await body();
      if (text !== undefined) held.body = text;
      return matchConsoleRequest(rules, held) ? held : undefined;
    },
    hold(request) {
      const holdId = crypto.randomUUID();
      const copilot =
        lastInteraction.copilot && Date.now() - lastInteraction.at < COPILOT_WINDOW_MS
          ? lastInteraction.copilot
          : undefined;
      if (!port) {
        const message =
          'Countersign could not reach its extension from this page, so the action was held back.';
        return { holdId, decision: Promise.resolve({ release: false, outcome: 'failed', message }) };
      }
      const decision = new Promise<Decision>((resolve) => waiting.set(holdId, resolve));
      post({ type: 'hold', holdId, request, ...(copilot && { copilot }) });
      return { holdId, decision };
    },
    sent(holdId, status) {
      post({ type: 'sent', holdId, status });
    },
  };
}

/** The body a refused request answers with, as an API that refused it would. */
export function refusalBody(outcome: string, message: string): string {
  return JSON.stringify({ error: { code: `countersign_${outcome}`, message } });
}

export const refusedHeaders = (outcome: string): Record<string, string> => ({
  'content-type': 'application/json',
  'x-countersign-outcome': outcome,
});
