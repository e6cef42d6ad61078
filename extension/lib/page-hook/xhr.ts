/**
 * XMLHttpRequest: `open` and `setRequestHeader` are noted, `send` is where a gated request is held.
 * Released, the XHR is sent for real; refused, it looks answered with a 403. A synchronous gated
 * XHR cannot wait for a person and throws; one aborted or re-opened while held is never sent.
 */
import { matchConsoleRequest } from '@countersign/shared/consoles';
import { bodyText, bodyTextAsync } from './body-text';
import type { Holder } from './hold';
import { refusalBody, refusedHeaders } from './hold';
import type { Natives } from './natives';

type XhrInfo = {
  method: string;
  url: string;
  async: boolean;
  headers: Record<string, string>;
  aborted: boolean;
  /** Sent by the page and held by the hook, not yet sent for real. */
  held?: boolean;
};

export function wrapXhr(win: Window & typeof globalThis, holder: Holder, natives: Natives): void {
  const XHR = win.XMLHttpRequest;
  const xhrs = new WeakMap<XMLHttpRequest, XhrInfo>();
  const { xhrOpen: nativeOpen, xhrSend: nativeSend, xhrSetRequestHeader: nativeSetHeader } = natives;
  const nativeAbort = natives.xhrAbort;

  XHR.prototype.open = function open(
    this: XMLHttpRequest,
    method: string,
    url: string | URL,
    ...rest: unknown[]
  ) {
    const isAsync = rest.length === 0 || rest[0] !== false;
    const info = {
      method: method.toUpperCase(),
      url: holder.absolute(String(url)),
      async: isAsync,
      headers: {},
    };
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
    if (!info || holder.passes(info.method, info.url)) return nativeSend.call(this, body);
    if (!info.async) {
      // A synchronous request cannot wait for a person: a gated one is refused outright.
      const rules = holder.rules();
      if (rules && matchConsoleRequest(rules, { ...info, body: bodyText(body) })) {
        throw new DOMException(
          'Countersign holds this request for approval; it cannot be sent synchronously.',
          'NetworkError',
        );
      }
      return nativeSend.call(this, body);
    }
    void (async () => {
      const held = await holder.gated(
        { method: info.method, url: info.url, headers: info.headers, via: 'xhr' },
        () => bodyTextAsync(body),
      );
      if (!held) return nativeSend.call(this, body);
      info.held = true;
      const { holdId, decision } = holder.hold(held);
      const decided = await decision;
      info.held = false;
      // Aborted, or opened again for another request, while held: what was held is no longer wanted.
      if (info.aborted || xhrs.get(this) !== info) return;
      if (decided.release) {
        this.addEventListener('loadend', () => holder.sent(holdId, this.status), { once: true });
        return nativeSend.call(this, body);
      }
      failXhr(this, decided.outcome, decided.message, info.url);
    })();
  };
}

/** Makes a held XHR look answered with a 403, as a refused request would be. */
function failXhr(xhr: XMLHttpRequest, outcome: string, message: string, url: string): void {
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
  define('responseURL', url);
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
