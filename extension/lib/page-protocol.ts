/**
 * Messages between the page-world hook (MAIN) and the bridge (ISOLATED content script), sent over a
 * private MessageChannel whose port the bridge hands to the hook before any page script runs.
 *
 * Everything that comes from the page world is untrusted: page code can call the hook, read what it
 * sends and send look-alikes on `window`. So the bridge checks every message's shape, and the
 * background decides only from what the server says — never from a message of this protocol. The
 * worst a page can do with it is ask for a review of a request it makes up, or skip the hook; the
 * network backstop covers the latter where the rule can be enforced at the network layer.
 */
import type { ConsoleRule } from '@countersign/shared/consoles';

/** The marker on the one `window` message that carries the port from the bridge to the hook. */
export const PORT_HANDOFF = 'countersign:port';

/** A held request as the page was about to send it. `headers` are used for matching only. */
export type PageRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** How the request was made: fetch, XMLHttpRequest, navigator.sendBeacon or a form submission. */
  via: 'fetch' | 'xhr' | 'beacon' | 'form';
};

/** Hook → bridge. */
export type FromPage =
  | { type: 'hold'; holdId: string; request: PageRequest; copilot?: string }
  | { type: 'sent'; holdId: string; status: number };

/** Bridge → hook. `release` lets the held request go out unchanged; `refuse` fails the page's call. */
export type ToPage =
  | { type: 'rules'; consoles: ConsoleRule[] }
  | { type: 'release'; holdId: string }
  | { type: 'refuse'; holdId: string; outcome: string; message: string };

const HOLD_ID = /^[0-9a-f-]{36}$/;
const MAX_BODY_CHARS = 1_048_576;

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/** Checks a message from the page world; anything else is dropped. */
export function parseFromPage(data: unknown): FromPage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as Record<string, unknown>;
  if (typeof m.holdId !== 'string' || !HOLD_ID.test(m.holdId)) return undefined;
  if (m.type === 'sent') {
    return typeof m.status === 'number' ? { type: 'sent', holdId: m.holdId, status: m.status } : undefined;
  }
  if (m.type !== 'hold' || typeof m.request !== 'object' || m.request === null) return undefined;
  const r = m.request as Record<string, unknown>;
  if (typeof r.method !== 'string' || r.method.length > 16 || typeof r.url !== 'string') return undefined;
  if (r.url.length > 8192 || !isStringRecord(r.headers)) return undefined;
  if (r.body !== undefined && (typeof r.body !== 'string' || r.body.length > MAX_BODY_CHARS))
    return undefined;
  if (r.via !== 'fetch' && r.via !== 'xhr' && r.via !== 'beacon' && r.via !== 'form') return undefined;
  const request: PageRequest = { method: r.method, url: r.url, headers: r.headers, via: r.via };
  if (typeof r.body === 'string') request.body = r.body;
  const copilot = typeof m.copilot === 'string' && m.copilot.length <= 64 ? m.copilot : undefined;
  return { type: 'hold', holdId: m.holdId, request, ...(copilot && { copilot }) };
}
