import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scope } from '@countersign/shared';
import { Pool } from 'undici';
import { parseEnv } from '../../server/src/env';
import { createLogger } from '../../server/src/logger';
import { createKey } from '../../server/src/services/keys/create-key';
import { openCore } from '../../server/src/start';
import { type ServeProcess, startServe } from '../e2e/processes';

// sqld and free ports live with the other suites' fixtures: one copy for hardening, e2e and multinode.
export { freePort, type Sqld, startSqld } from '../fixtures/sqld';

/** A `countersign serve` child process that can also die the hard way. */
export type Node = ServeProcess & { kill9(): Promise<void> };

export async function startNode(env: Record<string, string>): Promise<Node> {
  const served = await startServe({ LOG_LEVEL: 'warn', ...env });
  return {
    ...served,
    kill9: () =>
      new Promise<void>((resolve) => {
        if (served.child.exitCode !== null || served.child.signalCode !== null) return resolve();
        served.child.once('close', () => resolve());
        served.child.kill('SIGKILL');
      }),
  };
}

export type KeySpec = { agent: string; owner: string; scopes?: Scope[] } | { user: string; scopes?: Scope[] };

/**
 * Mints keys straight through the service layer on the database the nodes use (a file or sqld), as
 * `countersign keys create` does, without paying a CLI start-up per key.
 */
export async function mintKeys(env: Record<string, string>, specs: KeySpec[]): Promise<string[]> {
  const parsed = parseEnv({ ...env, LOG_LEVEL: 'silent' });
  const core = await openCore(parsed, createLogger('silent'), { policy: 'inert' });
  const ctx = { core, actor: { kind: 'system', id: 'system:cli' } as const };
  try {
    const tokens: string[] = [];
    for (const spec of specs) {
      const input =
        'agent' in spec
          ? { kind: 'agent' as const, name: spec.agent, owner: spec.owner, scopes: spec.scopes }
          : { kind: 'user' as const, email: spec.user, scopes: spec.scopes };
      tokens.push((await createKey({ ctx, input })).token);
    }
    return tokens;
  } finally {
    core.database.close();
  }
}

export type Answer<T = unknown> = { status: number; body: T; text: string };

/** Keep-alive HTTP to one server: many requests in flight without a TCP handshake each. */
export class Http {
  readonly pool: Pool;
  constructor(
    readonly url: string,
    connections = 32,
  ) {
    this.pool = new Pool(url, { connections, keepAliveTimeout: 10_000, headersTimeout: 70_000 });
  }

  async call<T = unknown>(
    method: string,
    path: string,
    options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await this.pool.request({ method: method as 'GET', path, headers, body });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: hand back the text
    }
    return { status: res.statusCode, body: parsed as T, text };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export type Delivery = { deliveryId: string; event: string; actionId: string; status: string; at: number };

/** A webhook receiver on 127.0.0.1 that records every delivery and answers 204. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  port: number;
  received: Delivery[];
  close(): Promise<void>;
}> {
  const received: Delivery[] = [];
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d;
    });
    req.on('end', () => {
      let parsed: { id?: string; status?: string } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // recorded with an empty id: the checks then fail on it
      }
      received.push({
        deliveryId: String(req.headers['x-countersign-delivery'] ?? ''),
        event: String(req.headers['x-countersign-event'] ?? ''),
        actionId: parsed.id ?? '',
        status: parsed.status ?? '',
        at: Date.now(),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** mulberry32: a small seeded generator, so a failing run can be repeated from its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? n : fallback;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await sleep(100);
  }
}

export type ChainCheck = {
  plain: { ok: boolean };
  checkpointSeq: number | undefined;
  against: { ok: boolean } | undefined;
  shown: string;
};

/**
 * Verifies the audit chain through the API, then again against the newest signed checkpoint the log
 * holds (read back from its `audit.checkpoint` event, as an operator who stored it elsewhere would hold it).
 */
export async function verifyChain(url: string, auditorKey: string): Promise<ChainCheck> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${auditorKey}` } });
    return (await res.json()) as T;
  };
  const plain = await get<{ ok: boolean }>('/v1/audit/verify');
  const { events = [] } = await get<{ events?: Array<{ seq: number; data: unknown }> }>(
    '/v1/audit?type=audit.checkpoint&format=json',
  );
  const latest = events.reduce<{ seq: number; data: unknown } | undefined>(
    (a, e) => (a === undefined || e.seq > a.seq ? e : a),
    undefined,
  );
  if (!latest)
    return { plain, checkpointSeq: undefined, against: undefined, shown: JSON.stringify({ plain }) };
  const head = Buffer.from(JSON.stringify(latest.data)).toString('base64url');
  const against = await get<{ ok: boolean }>(`/v1/audit/verify?head=${head}`);
  const checkpointSeq = (latest.data as { seq?: number }).seq;
  return { plain, checkpointSeq, against, shown: JSON.stringify({ plain, against }) };
}
