import { createKey } from '../src/services/keys/create-key';
import type { TestServer } from './harness';

/** A SCIM key for `name` (okta, entra) made through the key service, as `keys create --scim` does. */
export async function scimKey(t: TestServer, name: string): Promise<string> {
  const ctx = { core: t.server.core, actor: { kind: 'system', id: 'system:cli' } as const };
  return (await createKey({ ctx, input: { kind: 'scim', name } })).token;
}

/** One SCIM call as the provider makes it: application/scim+json, bearer key. */
export async function scim<T = Record<string, unknown>>(
  t: TestServer,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; type: string | null }> {
  const res = await fetch(`${t.url}/scim/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined && { 'content-type': 'application/scim+json' }),
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text === '' ? {} : JSON.parse(text)) as T,
    type: res.headers.get('content-type'),
  };
}
