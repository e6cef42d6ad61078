/**
 * The page-world hook: runs in the page's own JavaScript world at document_start, before any page
 * script, in every frame. It wraps fetch, XMLHttpRequest and navigator.sendBeacon, and watches form
 * submissions (the submit event, and form.submit(), which fires none); a request that a
 * console rule matches is held and handed to the bridge, and goes out unchanged only when the bridge
 * says `release`. Everything else goes straight through: the first look (method and URL) is
 * synchronous, and the body is read only when a rule could match.
 *
 * This world belongs to the page. Page code can call these wrappers, and could undo them; the hook
 * is what holds requests the console's own code makes, and the network backstop is what stops a
 * page that goes around it. So the hook trusts only its private port, never a `window` message.
 */
import type { CompiledConsoleRules } from '@countersign/shared/consoles';
import { consoleRequestMayMatch, matchConsoleRequest } from '@countersign/shared/consoles';
import { COPILOT_WINDOW_MS, copilotAt } from './copilots';
import type { FromPage, PageRequest, ToPage } from './page-protocol';
import { PORT_HANDOFF } from './page-protocol';
import { compileRules } from './rules';

type Decision = { release: true } | { release: false; outcome: string; message: string };

export function installPageHook(win: Window & typeof globalThis): void {
  const nativeFetch = win.fetch;
  const XHR = win.XMLHttpRequest;
  const nativeOpen = XHR.prototype.open;
  const nativeSend = XHR.prototype.send;
  const nativeSetHeader = XHR.prototype.setRequestHeader;
  const nativeBeacon = win.navigator.sendBeacon?.bind(win.navigator);
  const nativeSubmit = win.HTMLFormElement.prototype.submit;

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

  /** Resolved as the browser resolves it: against the document's base URL (`<base href>`, a srcdoc's parent). */
  function absolute(url: string): string {
    try {
      return new URL(url, win.document.baseURI).href;
    } catch {
      return url;
    }
  }

  /** Is this request gated? Resolves with the held request when it is. */
  async function gated(request: Omit<PageRequest, 'body'>, body: () => Promise<string | undefined>) {
    await rulesReady();
    if (!rules || !consoleRequestMayMatch(rules, request.method, request.url)) return undefined;
    const held: PageRequest = { ...request };
    const text = await body();
    if (text !== undefined) held.body = text;
    return matchConsoleRequest(rules, held) ? held : undefined;
  }

  /** Hands the request to the bridge and waits for the decision; no bridge means no decision: refuse. */
  function hold(request: PageRequest): { holdId: string; decision: Promise<Decision> } {
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
  }

  function refusalBody(outcome: string, message: string): string {
    return JSON.stringify({ error: { code: `countersign_${outcome}`, message } });
  }

  const refusedHeaders = (outcome: string) => ({
    'content-type': 'application/json',
    'x-countersign-outcome': outcome,
  });

  // ---------------------------------------------------------------- fetch
  // A Request made in another frame is not `instanceof` this frame's Request: look at its shape.
  const isRequest = (input: unknown): input is Request =>
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof URL) &&
    typeof (input as Request).url === 'string' &&
    typeof (input as Request).method === 'string';

  const wrappedFetch = async function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const method = (init?.method ?? (isRequest(input) ? input.method : 'GET')).toUpperCase();
    const url = absolute(isRequest(input) ? input.url : String(input));
    if (rules && !consoleRequestMayMatch(rules, method, url)) return nativeFetch.call(win, input, init);
    let request: Request;
    try {
      request = new Request(input, init);
    } catch {
      return nativeFetch.call(win, input, init); // let fetch raise its own error
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const held = await gated({ method: request.method, url: request.url, headers, via: 'fetch' }, async () =>
      request.method === 'GET' || request.method === 'HEAD' ? undefined : request.clone().text(),
    );
    if (!held) return nativeFetch.call(win, request);
    const { holdId, decision } = hold(held);
    // The page may give up while a person decides: its signal aborts the call, as it would a fetch.
    const aborted = new Promise<never>((_, reject) => {
      if (request.signal.aborted) reject(request.signal.reason);
      request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
    });
    const decided = await Promise.race([decision, aborted]);
    if (!decided.release) {
      return new Response(refusalBody(decided.outcome, decided.message), {
        status: 403,
        statusText: 'Held by Countersign',
        headers: refusedHeaders(decided.outcome),
      });
    }
    try {
      const response = await nativeFetch.call(win, request);
      post({ type: 'sent', holdId, status: response.status });
      return response;
    } catch (error) {
      post({ type: 'sent', holdId, status: 0 });
      throw error;
    }
  };
  // An accessor, not a value: instrumentation that wraps fetch later still wraps this one.
  let currentFetch: typeof win.fetch = wrappedFetch as typeof win.fetch;
  Object.defineProperty(win, 'fetch', {
    configurable: false,
    enumerable: true,
    get: () => currentFetch,
    set: (value: typeof win.fetch) => {
      currentFetch = value;
    },
  });

  // ---------------------------------------------------------------- XMLHttpRequest
  type XhrInfo = {
    method: string;
    url: string;
    async: boolean;
    headers: Record<string, string>;
    aborted: boolean;
    /** Sent by the page and held by the hook, not yet sent for real. */
    held?: boolean;
  };
  const xhrs = new WeakMap<XMLHttpRequest, XhrInfo>();
  const nativeAbort = XHR.prototype.abort;

  XHR.prototype.open = function open(
    this: XMLHttpRequest,
    method: string,
    url: string | URL,
    ...rest: unknown[]
  ) {
    const isAsync = rest.length === 0 || rest[0] !== false;
    const info = { method: method.toUpperCase(), url: absolute(String(url)), async: isAsync, headers: {} };
    xhrs.set(this, { ...info, aborted: false });
    return (nativeOpen as (...args: unknown[]) => void).call(this, method, url, ...rest);
  } as typeof XHR.prototype.open;

  XHR.prototype.setRequestHeader = function setRequestHeader(
    this: XMLHttpRequest,
    name: string,
    value: string,
  ) {
    const info = xhrs.get(this);
    if (info) info.headers[name.toLowerCase()] = value;
    return nativeSetHeader.call(this, name, value);
  };

  // Aborted while held: it must not go out if approved later, and the page hears `abort` as it
  // would for a request in flight (the native abort of an unsent XHR fires nothing).
  XHR.prototype.abort = function abort(this: XMLHttpRequest) {
    const info = xhrs.get(this);
    if (!info?.held || info.aborted) {
      if (info) info.aborted = true;
      return nativeAbort.call(this);
    }
    info.aborted = true;
    nativeAbort.call(this);
    Object.defineProperty(this, 'readyState', { configurable: true, get: () => 4 });
    this.dispatchEvent(new Event('readystatechange'));
    this.dispatchEvent(new ProgressEvent('abort'));
    this.dispatchEvent(new ProgressEvent('loadend'));
    delete (this as { readyState?: number }).readyState;
  };

  XHR.prototype.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const info = xhrs.get(this);
    if (!info || (rules && !consoleRequestMayMatch(rules, info.method, info.url)))
      return nativeSend.call(this, body);
    if (!info.async) {
      // A synchronous request cannot wait for a person: a gated one is refused outright.
      if (rules && matchConsoleRequest(rules, { ...info, body: bodyText(body) })) {
        throw new DOMException(
          'Countersign holds this request for approval; it cannot be sent synchronously.',
          'NetworkError',
        );
      }
      return nativeSend.call(this, body);
    }
    void (async () => {
      const held = await gated(
        { method: info.method, url: info.url, headers: info.headers, via: 'xhr' },
        () => bodyTextAsync(body),
      );
      if (!held) return nativeSend.call(this, body);
      info.held = true;
      const { holdId, decision } = hold(held);
      const decided = await decision;
      info.held = false;
      // Aborted, or opened again for another request, while held: what was held is no longer wanted.
      if (info.aborted || xhrs.get(this) !== info) return;
      if (decided.release) {
        this.addEventListener('loadend', () => post({ type: 'sent', holdId, status: this.status }), {
          once: true,
        });
        return nativeSend.call(this, body);
      }
      failXhr(this, decided.outcome, decided.message);
    })();
  };

  /** Makes a held XHR look answered with a 403, as a refused request would be. */
  function failXhr(xhr: XMLHttpRequest, outcome: string, message: string): void {
    const text = refusalBody(outcome, message);
    const headers = Object.entries(refusedHeaders(outcome));
    const define = (name: string, value: unknown) =>
      Object.defineProperty(xhr, name, { configurable: true, get: () => value });
    define('readyState', 4);
    define('status', 403);
    define('statusText', 'Held by Countersign');
    define('responseText', text);
    const bytes = new TextEncoder().encode(text);
    const typed: Record<string, unknown> = {
      json: JSON.parse(text),
      arraybuffer: bytes.buffer,
      blob: new Blob([bytes], { type: 'application/json' }),
    };
    define('response', xhr.responseType in typed ? typed[xhr.responseType] : text);
    define('responseURL', xhrs.get(xhr)?.url ?? '');
    Object.defineProperty(xhr, 'getAllResponseHeaders', {
      configurable: true,
      value: () => headers.map(([k, v]) => `${k}: ${v}\r\n`).join(''),
    });
    Object.defineProperty(xhr, 'getResponseHeader', {
      configurable: true,
      value: (name: string) => headers.find(([k]) => k === name.toLowerCase())?.[1] ?? null,
    });
    for (const type of ['readystatechange', 'load', 'loadend']) {
      xhr.dispatchEvent(type === 'readystatechange' ? new Event(type) : new ProgressEvent(type));
    }
  }

  // ---------------------------------------------------------------- sendBeacon
  if (nativeBeacon) {
    win.navigator.sendBeacon = function sendBeacon(url: string | URL, data?: BodyInit | null): boolean {
      const target = absolute(String(url));
      if (rules && !consoleRequestMayMatch(rules, 'POST', target)) return nativeBeacon(url, data);
      void (async () => {
        const held = await gated({ method: 'POST', url: target, headers: {}, via: 'beacon' }, () =>
          bodyTextAsync(data ?? null),
        );
        if (!held) return void nativeBeacon(url, data);
        const { holdId, decision } = hold(held);
        if (!(await decision).release) return;
        const queued = nativeBeacon(url, data);
        // The browser sends a beacon when it likes: give it a moment before closing the gap.
        setTimeout(() => post({ type: 'sent', holdId, status: queued ? 200 : 0 }), 3_000);
      })();
      // The page is told the beacon was queued; it goes out only if approved.
      return true;
    };
  }

  // ---------------------------------------------------------------- form submissions
  /** Forms whose next submit event is the approved one, submitted again by the hook itself. */
  const approvedForms = new WeakSet<HTMLFormElement>();

  /**
   * Holds a gated form submission; on approval submits it again as it was (with its submitter), and
   * only if the form still makes the request that was approved.
   */
  async function holdForm(
    form: HTMLFormElement,
    submitter: HTMLElement | null,
    request: Omit<PageRequest, 'via'>,
    viaEvent: boolean,
  ): Promise<void> {
    const { holdId, decision } = hold({ ...request, via: 'form' });
    if (!(await decision).release) return;
    const now = formRequest(form, submitter);
    if (!now || now.method !== request.method || now.url !== request.url || now.body !== request.body) return;
    if (viaEvent) {
      approvedForms.add(form);
      form.requestSubmit(submitter);
    } else {
      nativeSubmit.call(form);
    }
    setTimeout(() => post({ type: 'sent', holdId, status: 0 }), 3_000);
  }

  const gatedForm = (form: HTMLFormElement, submitter: HTMLElement | null) => {
    const request = formRequest(form, submitter);
    if (!request || !rules || !consoleRequestMayMatch(rules, request.method, request.url)) return undefined;
    return matchConsoleRequest(rules, request) ? request : undefined;
  };

  // Bubbling, not capturing: the page's own handlers run first, and a submission they take over
  // (preventDefault, then fetch or XHR) goes through the wrappers above instead.
  win.addEventListener('submit', (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof win.HTMLFormElement)) return;
    if (approvedForms.delete(form)) return;
    const submitter = (event as SubmitEvent).submitter;
    const request = gatedForm(form, submitter);
    if (!request) return;
    event.preventDefault();
    void holdForm(form, submitter, request, true);
  });

  win.HTMLFormElement.prototype.submit = function submit(this: HTMLFormElement) {
    const request = gatedForm(this, null);
    if (!request) return nativeSubmit.call(this);
    void holdForm(this, null, request, false);
  };
}

/** The request a form submission makes, as the hook matches it; undefined when it sends none (dialog). */
function formRequest(
  form: HTMLFormElement,
  submitter: HTMLElement | null,
): Omit<PageRequest, 'via'> | undefined {
  // A submit button's formmethod / formaction override the form's; the properties come resolved.
  const button = submitter as HTMLButtonElement | null;
  const method = (
    (button?.hasAttribute('formmethod') && button.formMethod) ||
    form.method ||
    'get'
  ).toUpperCase();
  if (method === 'DIALOG') return undefined;
  const action = button?.hasAttribute('formaction') ? button.formAction : form.action;
  let fields: URLSearchParams;
  try {
    fields = new URLSearchParams(new FormData(form, submitter) as unknown as Record<string, string>);
  } catch {
    fields = new URLSearchParams();
  }
  if (method === 'GET') {
    const url = new URL(action);
    url.search = fields.toString();
    return { method, url: url.href, headers: {} };
  }
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  return { method, url: action, headers, body: fields.toString() };
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return undefined;
}

async function bodyTextAsync(body: unknown): Promise<string | undefined> {
  const text = bodyText(body);
  if (text !== undefined || body === undefined || body === null) return text;
  if (body instanceof Blob) return body.text();
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new Response(body as BodyInit).text();
  if (body instanceof FormData) return new Response(body).text();
  if (body instanceof Document) return new XMLSerializer().serializeToString(body);
  return String(body);
}
