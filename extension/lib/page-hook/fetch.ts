/**
 * `fetch`: a gated call stays pending while a person decides; released, the original Request goes
 * out unchanged; refused, the call resolves with a 403 as a refusing API would answer.
 */
import type { Holder } from './hold';
import { refusalBody, refusedHeaders } from './hold';
import type { Natives } from './natives';

// A Request made in another frame is not `instanceof` this frame's Request: look at its shape.
const isRequest = (input: unknown): input is Request =>
  typeof input === 'object' &&
  input !== null &&
  !(input instanceof URL) &&
  typeof (input as Request).url === 'string' &&
  typeof (input as Request).method === 'string';

export function wrapFetch(win: Window & typeof globalThis, holder: Holder, natives: Natives): void {
  const nativeFetch = natives.fetch;

  const wrappedFetch = async function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const method = (init?.method ?? (isRequest(input) ? input.method : 'GET')).toUpperCase();
    const url = holder.absolute(isRequest(input) ? input.url : String(input));
    if (holder.passes(method, url)) return nativeFetch.call(win, input, init);
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
    const held = await holder.gated(
      { method: request.method, url: request.url, headers, via: 'fetch' },
      async () =>
        request.method === 'GET' || request.method === 'HEAD' ? undefined : request.clone().text(),
    );
    if (!held) return nativeFetch.call(win, request);
    const { holdId, decision } = holder.hold(held);
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
      holder.sent(holdId, response.status);
      return response;
    } catch (error) {
      holder.sent(holdId, 0);
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
}
