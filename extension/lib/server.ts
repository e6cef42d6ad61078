/** Calls to the Countersign server that the SDK does not make: pairing, who-am-I, rules, health. */
import type { ConsoleRule } from '@countersign/shared/consoles';
import type { Who } from './messages';

const TIMEOUT_MS = 10_000;

export class ServerError extends Error {
  override name = 'ServerError';
}

/** The server URL as the person typed it, checked and without a trailing slash. */
export function normalizeServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ServerError(
      `"${text}" is not a URL; give the server's address, like https://countersign.example.com`,
    );
  }
  // Over plain http the key travels in the clear and anyone on the path decides "approved".
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw new ServerError(
      `the server URL must start with https:// (http:// only for this machine: localhost, 127.0.0.1), not ${url.protocol}//${url.host}`,
    );
  return url.href.replace(/\/+$/, '');
}

async function call<T>(
  serverUrl: string,
  path: string,
  init: RequestInit & { key?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.body) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${serverUrl}${path}`, {
      ...init,
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new ServerError(`the Countersign server at ${serverUrl} cannot be reached`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ServerError(`${serverUrl}${path} answered HTTP ${response.status}, not Countersign's JSON`);
  }
  if (!response.ok) {
    const message = (body as { error?: { message?: unknown } })?.error?.message;
    throw new ServerError(typeof message === 'string' ? message : `HTTP ${response.status}`);
  }
  return body as T;
}

/** Exchanges a one-time code from `/approvals connect` for a personal key. */
export async function pairWithCode(serverUrl: string, code: string): Promise<{ key: string; user: Who }> {
  const paired = await call<{ key: string; user: { id: string; email: string } }>(
    serverUrl,
    '/v1/extension/pair',
    {
      method: 'POST',
      body: JSON.stringify({ code }),
    },
  );
  return { key: paired.key, user: { id: paired.user.id, email: paired.user.email } };
}

type Me = { kind: string; id: string; email?: string; name?: string; scopes: string[] };

/** Who a personal key belongs to; refuses keys that cannot submit actions. */
export async function whoAmI(serverUrl: string, key: string): Promise<Who> {
  const me = await call<Me>(serverUrl, '/v1/me', { key });
  if (!me.scopes.includes('actions:write'))
    throw new ServerError('this key cannot submit actions (it lacks the actions:write scope)');
  const who: Who = { id: me.id };
  if (me.email) who.email = me.email;
  if (me.name) who.name = me.name;
  return who;
}

export function fetchRules(
  serverUrl: string,
  key: string,
): Promise<{ version: string; consoles: ConsoleRule[] }> {
  return call(serverUrl, '/v1/extension/rules', { key });
}

export async function healthy(serverUrl: string): Promise<boolean> {
  try {
    await call(serverUrl, '/healthz');
    return true;
  } catch {
    return false;
  }
}
