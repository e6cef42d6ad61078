import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActionRequest, type AuditEvent, ErrorBody, type Scope } from '@countersign/shared';
import { type Client, createClient } from '@libsql/client';
import type { Logger } from 'pino';
import { expect, type TestContext } from 'vitest';
import { parseEnv } from '../src/env';
import { createLogger } from '../src/logger';
import { createKey } from '../src/services/keys/create-key';
import { revokeKey } from '../src/services/keys/revoke-key';
import { type RunningServer, startServer } from '../src/start';

export type Reply<T = unknown> = { status: number; body: T; headers: Headers };

/** A real Countersign server on 127.0.0.1 over a real libsql file of its own, for one test. */
export type TestServer = {
  url: string;
  dir: string;
  dbFile: string;
  policyFile: string;
  server: RunningServer;
  agentKey(name: string, owner: string, scopes?: Scope[]): Promise<string>;
  userKey(email: string, scopes?: Scope[]): Promise<string>;
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<Reply<T>>;
  /** A second connection to the database file, as an operator (or attacker) with the file would have. */
  rawDb(): Client;
  writePolicy(text: string): Promise<void>;
  /** Revokes the key behind `token` through the service layer, as an operator at the CLI would. */
  revokeKey(token: string): Promise<void>;
  /** Stops the server and removes its directory, unless `keepDir` (to start another server on it). */
  stop(options?: { keepDir?: boolean }): Promise<void>;
};

export type CallOptions = {
  key?: string | undefined;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
};

export const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
  data-owners: [carol@example.com, dan@example.com, alice@example.com]
defaults: { timeout: 15m, grantTtl: 5m }
rules:
  - name: reads-are-free
    match: { action: ["**.get*", "**.list*"] }
    effect: allow
  - name: no-prod-drops
    match: { action: "db.drop*", environment: prod }
    effect: deny
    reason: Dropping production databases is never allowed from automation.
  - name: customer-export
    match: { action: db.export, resource: "customers/**" }
    effect: review
    approvers: [data-owners]
    minApprovals: 2
    channel: "#data-approvals"
default: { effect: review, approvers: [sre] }
`;

export async function startTestServer(
  options: {
    policy?: string;
    env?: Record<string, string>;
    /** An existing directory (a stopped server's `dir`): the new server opens the same database file. */
    dir?: string;
    /** The server's logger, for a test that reads what it logs (else LOG_LEVEL on standard error). */
    log?: Logger;
  } = {},
): Promise<TestServer> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'countersign-test-')));
  const dbFile = join(dir, 'countersign.db');
  const policyFile = join(dir, 'policy.yaml');
  await writeFile(policyFile, options.policy ?? POLICY);
  const env = parseEnv({
    COUNTERSIGN_DB_URL: `file:${dbFile}`,
    COUNTERSIGN_POLICY: policyFile,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const server = await startServer(env, options.log ?? createLogger(env.LOG_LEVEL));
  const system = { core: server.core, actor: { kind: 'system', id: 'system:cli' } as const };
  const clients: Client[] = [];

  const call = async <T>(method: string, path: string, o: CallOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (CSV, NDJSON): hand back the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };

  return {
    url: server.url,
    dir,
    dbFile,
    policyFile,
    server,
    agentKey: async (name, owner, scopes) =>
      (await createKey({ ctx: system, input: { kind: 'agent', name, owner, scopes } })).token,
    userKey: async (email, scopes) =>
      (await createKey({ ctx: system, input: { kind: 'user', email, scopes } })).token,
    call,
    rawDb: () => {
      // The server may be committing (a key's last-use) at the same moment: wait for its lock.
      const client = createClient({ url: `file:${dbFile}`, timeout: 5_000 });
      clients.push(client);
      return client;
    },
    writePolicy: (text) => writeFile(policyFile, text),
    revokeKey: async (token) => {
      await revokeKey({ ctx: system, id: keyIdOf(token) });
    },
    stop: async (stopOptions = {}) => {
      for (const client of clients) client.close();
      await server.close();
      if (!stopOptions.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Submits an action as `key` and returns the created request. */
export async function submit(
  t: TestServer,
  key: string,
  body: Record<string, unknown>,
): Promise<ActionRequest> {
  const reply = await t.call<ActionRequest>('POST', '/v1/actions', { key, body });
  if (reply.status !== 201) throw new Error(`submit failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

export const review = (
  t: TestServer,
  key: string,
  id: string,
  decision: 'approve' | 'deny',
  comment?: string,
) =>
  t.call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, {
    key,
    body: { decision, ...(comment && { comment }) },
  });

/** The key id inside a `csk_<ULID>_<secret>` token. */
export function keyIdOf(token: string): string {
  const ulid = /^csk_([0-9A-Z]{26})_/.exec(token)?.[1];
  if (!ulid) throw new Error(`not a key token: ${token}`);
  return `key_${ulid}`;
}

/**
 * A server for one test alone, stopped when that test finishes. It takes the test's own context
 * because under `describe.concurrent` the global `onTestFinished` cannot tell which test is running.
 */
export async function serverForTest(
  test: Pick<TestContext, 'onTestFinished'>,
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<TestServer> {
  const t = await startTestServer(options);
  test.onTestFinished(() => t.stop());
  return t;
}

/**
 * Asserts a contract error: the status, the code, and a body of exactly `{error:{code,message,details?}}`.
 * Returns the error for further checks on `details`.
 */
export function expectError(reply: Reply, status: number, code: string, what = ''): ErrorBody['error'] {
  const shown = `${what ? `${what}: ` : ''}${reply.status} ${JSON.stringify(reply.body)}`;
  expect(reply.status, shown).toBe(status);
  const parsed = ErrorBody.safeParse(reply.body);
  expect(parsed.success, `not an error body: ${shown}`).toBe(true);
  if (!parsed.success) throw parsed.error;
  expect(Object.keys(reply.body as object), shown).toEqual(['error']);
  const extra = Object.keys(parsed.data.error).filter((k) => !['code', 'message', 'details'].includes(k));
  expect(extra, `unexpected keys in the error: ${shown}`).toEqual([]);
  expect(parsed.data.error.code, shown).toBe(code);
  expect(parsed.data.error.message.length, shown).toBeGreaterThan(0);
  // The contract's body has all three keys: `details` is a list, empty when no field is at fault.
  expect(Array.isArray(parsed.data.error.details), `no details list: ${shown}`).toBe(true);
  return parsed.data.error;
}

/** The offending field paths of a 400 answer, each once, sorted. */
export const detailPaths = (error: ErrorBody['error']): string[] =>
  [...new Set((error.details ?? []).map((d) => d.path))].sort();

/** Audit events as an `audit:read` key sees them; `query` is the query string without `?`. */
export async function auditEvents(t: TestServer, key: string, query = ''): Promise<AuditEvent[]> {
  const reply = await t.call<{ events: AuditEvent[] }>('GET', `/v1/audit${query ? `?${query}` : ''}`, {
    key,
  });
  if (reply.status !== 200)
    throw new Error(`audit read failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.events;
}

/** A small policy: `**.get*` allowed at once; everything else reviewed by the group `reviewers` = `approvers`. */
export function reviewPolicy(
  approvers: string[],
  options: { minApprovals?: number; timeout?: string; grantTtl?: string } = {},
): string {
  return [
    'version: 1',
    'groups:',
    `  reviewers: [${approvers.join(', ')}]`,
    `defaults: { timeout: ${options.timeout ?? '15m'}, grantTtl: ${options.grantTtl ?? '5m'} }`,
    'rules:',
    '  - name: reads-are-free',
    '    match: { action: "**.get*" }',
    '    effect: allow',
    '  - name: needs-review',
    '    match: { action: "**" }',
    '    effect: review',
    '    approvers: [reviewers]',
    `    minApprovals: ${options.minApprovals ?? 1}`,
    '',
  ].join('\n');
}
