import { signSlackRequest } from '@countersign/bot';
import { type ActionRequest, ERROR_STATUS, ErrorBody } from '@countersign/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buttonPayload,
  denySubmission,
  homeOpened,
  SIGNING_SECRET,
  type SlackTest,
  slashCommand,
  startSlackTest,
} from '../slack/slack-harness';
import { envNumber, Http } from './fixtures';
import {
  bodyOf,
  type Case,
  contentTypes,
  encode,
  garbage,
  type OpenApi,
  type Operation,
  perturbed,
  queryValueOf,
  segmentOf,
} from './fuzz-arbitraries';

// A fixed seed, so CI runs the same cases each time and a failure can be replayed; FUZZ_SEED to vary it.
const SEED = envNumber('FUZZ_SEED', 20_260_901);
const RUNS = envNumber('FUZZ_RUNS', 10_000);
const SLACK_RUNS = envNumber('FUZZ_SLACK_RUNS', Math.ceil(RUNS / 5));
// Requests go out in batches over keep-alive connections: the server sees many in flight at once.
const BATCH = 25;

type Keys = { agent: string; reviewer: string; auditor: string; admin: string; revoked: string };

/** What is wrong with an answer, if anything: a 5xx, or a 4xx outside the contract's error shape. */
function problemWith(c: Case, status: number, text: string, slack: boolean): string | undefined {
  if (status >= 500) return `answered ${status}`;
  // Slack's own protocol: a refusal there is a bare status, which Slack shows as an error.
  if (slack || status < 400 || c.method === 'HEAD') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `answered ${status} with a body that is not JSON`;
  }
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return `answered ${status} outside the error shape`;
  if (Object.keys(body as object).join() !== 'error') return 'extra top-level keys beside error';
  const extra = Object.keys(parsed.data.error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length > 0) return `extra keys in the error: ${extra.join()}`;
  const code = parsed.data.error.code;
  if (!(code in ERROR_STATUS)) return `unknown error code ${code}`;
  if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== status) return `code ${code} with status ${status}`;
  return undefined;
}

/**
 * Runs the property over `cases` requests in batches. On failure it throws the one failing request
 * (from `send`) with the seed, not fast-check's dump of the whole batch; no shrinking, as a batch of
 * network calls shrinks slowly and `send` already names the single request at fault.
 */
async function holds(property: fc.IAsyncProperty<[Case[]]>, cases: number): Promise<void> {
  const details = await fc.check(property, {
    seed: SEED,
    numRuns: Math.ceil(cases / BATCH),
    endOnFailure: true,
  });
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`fuzzing failed (seed ${details.seed}, run ${details.numRuns}): ${cause}`);
  }
}

describe('fuzzing every route and /slack/events', () => {
  let s: SlackTest;
  let http: Http;
  let keys: Keys;
  let doc: OpenApi;
  let ids: string[];
  let served = 0;
  const statusTally: Record<string, number> = {};

  async function send(c: Case, slack = false): Promise<void> {
    const started = performance.now();
    const res = await http.pool.request({
      method: c.method as 'GET',
      path: c.path,
      headers: c.headers,
      body: c.body,
    });
    const text = await res.body.text();
    served += 1;
    statusTally[res.statusCode] = (statusTally[res.statusCode] ?? 0) + 1;
    const problem = problemWith(c, res.statusCode, text, slack);
    if (problem) {
      const shown = JSON.stringify({ ...c, body: c.body?.slice(0, 2_000) });
      throw new Error(`${problem}: ${text.slice(0, 500)}\n  request: ${shown}\n  replay: FUZZ_SEED=${SEED}`);
    }
    if (performance.now() - started > 10_000) throw new Error(`took over 10 s: ${JSON.stringify(c)}`);
  }

  beforeAll(async () => {
    s = await startSlackTest({
      env: { COUNTERSIGN_RATE_LIMIT: '0', COUNTERSIGN_WEBHOOK_HOSTS: '127.0.0.1:9' },
    });
    const t = s.t;
    keys = {
      agent: await t.agentKey('fuzzer', 'owner@example.com'),
      reviewer: await t.userKey('alice@example.com', ['reviews:write']),
      auditor: await t.userKey('auditor@example.com', ['audit:read']),
      admin: await t.userKey('root@example.com', ['admin']),
      revoked: await t.agentKey('gone', 'owner@example.com'),
    };
    await t.revokeKey(keys.revoked);
    http = new Http(t.url, 64);
    const pending = await t.call<ActionRequest>('POST', '/v1/actions', {
      key: keys.agent,
      body: { action: 'deploy.web', environment: 'prod' },
    });
    const allowed = await t.call<ActionRequest>('POST', '/v1/actions', {
      key: keys.agent,
      body: { action: 'db.getRow', resource: 'customers/eu' },
    });
    ids = [pending.body.id, allowed.body.id, 'act_01J00000000000000000000000'];
    doc = (await t.call<OpenApi>('GET', '/openapi.json')).body;
  }, 60_000);

  afterAll(async () => {
    console.info(
      `[fuzz] seed ${SEED}: ${served} requests, statuses ${JSON.stringify(statusTally)}, routes ${Object.keys(doc?.paths ?? {}).length}`,
    );
    await http?.close();
    await s?.stop();
  });

  function authOf(): fc.Arbitrary<Record<string, string>> {
    const k = keys;
    // Mostly a working key, so most cases reach the route's own parsing and rules.
    const valid = fc
      .constantFrom(k.agent, k.agent, k.reviewer, k.auditor, k.admin)
      .map((key) => `Bearer ${key}`);
    const junk = fc.constantFrom(
      undefined,
      `Bearer ${k.revoked}`,
      `bearer ${k.agent}`,
      `Bearer ${k.agent}x`,
      `Bearer ${k.agent.slice(0, -1)}`,
      `Bearer csk_${'A'.repeat(26)}_x`,
      'Bearer',
      'Bearer  ',
      'Basic Zm9vOmJhcg==',
      `Bearer ${'k'.repeat(5_000)}`,
    );
    return fc
      .oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: junk })
      .map((v): Record<string, string> => (v === undefined ? {} : { authorization: v }));
  }

  function caseOf(path: string, method: string, op: Operation): fc.Arbitrary<Case> {
    const params = op.parameters ?? [];
    const segments = path
      .split('/')
      .map((part) => (part.startsWith('{') ? segmentOf(ids) : fc.constant(part)));
    const query = params
      .filter((p) => p.in === 'query')
      .map((p) => fc.option(queryValueOf(p.name, p.schema, doc).map((v) => `${p.name}=${encode(v)}`)));
    const headerParams = params
      .filter((p) => p.in === 'header')
      .map((p) =>
        fc.option(
          fc.stringMatching(/^[\x21-\x7e]{0,300}$/).map((v): [string, string] => [p.name, v]),
          {
            freq: 2,
          },
        ),
      );
    const schema = op.requestBody?.content?.['application/json']?.schema;
    const body = schema ? fc.option(bodyOf(schema, doc), { freq: 12 }) : fc.option(garbage, { freq: 1 });
    return fc
      .record({
        method: fc.oneof(
          { weight: 12, arbitrary: fc.constant(method.toUpperCase()) },
          { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
        ),
        segments: fc.tuple(...segments),
        query: fc.tuple(...query),
        extraQuery: fc.option(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }))),
        headerParams: fc.tuple(...headerParams),
        auth: authOf(),
        contentType: contentTypes,
        body,
      })
      .map((r) => {
        const q = r.query.filter((x): x is string => x !== null);
        if (r.extraQuery) q.push(`${encode(r.extraQuery[0])}=${encode(r.extraQuery[1])}`);
        const headers: Record<string, string> = { ...r.auth };
        for (const h of r.headerParams) if (h) headers[h[0]] = h[1];
        const hasBody = r.body !== null && r.method !== 'GET' && r.method !== 'HEAD';
        if (hasBody && r.contentType) headers['content-type'] = r.contentType;
        return {
          method: r.method,
          path: `${r.segments.join('/')}${q.length ? `?${q.join('&')}` : ''}`,
          headers,
          ...(hasBody && r.body !== null ? { body: r.body } : {}),
        };
      });
  }

  it('answers every route (read from /openapi.json) without a 5xx, each 4xx in the error shape', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => caseOf(path.replace(/\{(\w+)\}/g, '{$1}'), method, op)),
    );
    expect(operations.length).toBeGreaterThanOrEqual(10);
    const anyCase = fc.oneof(...operations);
    await holds(
      fc.asyncProperty(fc.array(anyCase, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map((c) => send(c)));
      }),
      RUNS,
    );
  }, 600_000);

  it('answers correctly signed garbage and near-valid Slack payloads without a 5xx', async () => {
    const slack = s.slack;
    const click = buttonPayload(slack, 'alice', 'countersign.approve', ids[0] ?? '', {
      channel: 'C0OPS',
      ts: '1700000000.000100',
    });
    const homeClick = buttonPayload(slack, 'bob', 'countersign.deny', ids[0] ?? '', 'home');
    const modal = JSON.parse(
      new URLSearchParams(denySubmission('alice', ids[0] ?? '', 'no').body).get('payload') ?? 'null',
    ) as unknown;
    const event = JSON.parse(homeOpened('carol').body) as unknown;
    const command = Object.fromEntries(
      new URLSearchParams(slashCommand(slack, 'alice', '/approvals', '').body),
    );
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

    const payloads = fc.oneof(fc.constant(click), fc.constant(homeClick), fc.constant(modal));
    const bodies = fc.oneof(
      perturbed(payloads).map((p) => ({
        body: form({ payload: p }),
        type: 'application/x-www-form-urlencoded',
      })),
      fc
        .constantFrom(
          'null',
          'true',
          '[]',
          '"x"',
          '{}',
          '{"type":"block_actions"}',
          '{"type":"view_submission"}',
        )
        .map((p) => ({ body: form({ payload: p }), type: 'application/x-www-form-urlencoded' })),
      perturbed(fc.constant(event)).map((b) => ({ body: b, type: 'application/json' })),
      fc
        .tuple(
          fc.constantFrom('/approvals', '/approve', '/deny', '/x'),
          fc.string({ unit: 'binary', maxLength: 60 }),
        )
        .map(([cmd, text]) => ({
          body: form({ ...command, command: cmd, text }),
          type: 'application/x-www-form-urlencoded',
        })),
      fc.tuple(garbage, contentTypes).map(([b, type]) => ({ body: b, type: type || 'text/plain' })),
    );
    const signed = fc.record({
      b: bodies,
      skew: fc.constantFrom(0, 0, 0, 0, -400, 400),
      tamper: fc.boolean(),
    });
    const slackCase = signed.map(({ b, skew, tamper }): Case => {
      const timestamp = Math.floor(Date.now() / 1000) + skew;
      const signature = signSlackRequest(SIGNING_SECRET, b.body, timestamp);
      return {
        method: 'POST',
        path: '/slack/events',
        headers: {
          'content-type': b.type,
          'x-slack-request-timestamp': String(timestamp),
          // Mostly correctly signed: the point is what lies past the signature check.
          'x-slack-signature': tamper && skew !== 0 ? `${signature.slice(0, -1)}0` : signature,
        },
        body: b.body,
      };
    });
    await holds(
      fc.asyncProperty(fc.array(slackCase, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map((c) => send(c, true)));
      }),
      SLACK_RUNS,
    );
  }, 600_000);

  it('is healthy after: live, ready, taking a submission, its audit chain intact', async () => {
    expect((await http.call('GET', '/healthz')).status).toBe(200);
    expect((await http.call('GET', '/readyz')).status).toBe(200);
    const submitted = await http.call('POST', '/v1/actions', {
      key: keys.agent,
      body: { action: 'deploy.after' },
    });
    expect(submitted.status, submitted.text).toBe(201);
    const verify = await http.call<{ ok: boolean }>('GET', '/v1/audit/verify', { key: keys.auditor });
    expect(verify.body.ok, verify.text).toBe(true);
  });
});
