import { gzipSync } from 'node:zlib';
import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { expectError, reviewPolicy, serverForTest, type TestServer } from './harness';

const POLICY = reviewPolicy(['bob@example.com']);

const post = (t: TestServer, key: string, path: string, rawBody: string) =>
  t.call<ActionRequest>('POST', path, { key, rawBody, headers: { 'content-type': 'application/json' } });

async function nothingSubmitted(t: TestServer, key: string): Promise<void> {
  const list = await t.call<{ items: ActionRequest[] }>('GET', '/v1/actions', { key });
  expect(list.body.items).toEqual([]);
}

describe('numbers a double would change', () => {
  it.for([
    ['{"action":"deploy.run","params":{"n":1234567890123456789}}', 'params.n'],
    ['{"action":"deploy.run","params":{"n":1234567890123456800}}', 'params.n'],
    ['{"action":"deploy.run","params":{"n":9007199254740993}}', 'params.n'],
    ['{"action":"deploy.run","params":{"tiny":1e-400}}', 'params.tiny'],
    ['{"action":"deploy.run","params":{"x":[0.1,0.3000000000000000444]}}', 'params.x.1'],
    ['{"action":"deploy.run","context":{"big":1e400}}', 'context.big'],
  ] as const)(
    'refuses %s with 400 naming %s and saying "send it as a string"',
    async ([body, path], test) => {
      const t = await serverForTest(test, { policy: POLICY });
      const agent = await t.agentKey('num-bot', 'alice@example.com');
      const error = expectError(await post(t, agent, '/v1/actions', body), 400, 'invalid_request');
      expect(error.details).toEqual([{ path, message: expect.stringContaining('send it as a string') }]);
      expect(error.message).toContain('send it as a string');
      await nothingSubmitted(t, agent);
    },
  );

  it('accepts numbers whose text a double keeps (1.0, 1e0, 0.1), with the digest of the value', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('num-bot', 'alice@example.com');
    const plain = await post(t, agent, '/v1/actions', '{"action":"deploy.run","params":{"a":1,"b":0.1}}');
    const spelled = await post(
      t,
      agent,
      '/v1/actions',
      '{"action":"deploy.run","params":{"a":1.0e0,"b":0.10}}',
    );
    expect([plain.status, spelled.status]).toEqual([201, 201]);
    expect(spelled.body.params).toEqual({ a: 1, b: 0.1 });
    expect(spelled.body.digest).toBe(plain.body.digest);
  });

  it('accepts the big number sent as a string, so two different numbers get two digests', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('num-bot', 'alice@example.com');
    const one = await post(
      t,
      agent,
      '/v1/actions',
      '{"action":"deploy.run","params":{"n":"1234567890123456789"}}',
    );
    const two = await post(
      t,
      agent,
      '/v1/actions',
      '{"action":"deploy.run","params":{"n":"1234567890123456800"}}',
    );
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(one.body.digest).not.toBe(two.body.digest);
  });
});

describe('duplicate keys', () => {
  it('refuses a repeated top-level key: the policy never sees which action was meant', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('dup-bot', 'alice@example.com');
    const body = '{"action":"aws.s3.getObject","action":"db.export"}';
    const error = expectError(await post(t, agent, '/v1/actions', body), 400, 'invalid_request');
    expect(error.details).toEqual([
      { path: 'action', message: 'this key appears more than once in its object' },
    ]);
    await nothingSubmitted(t, agent);
  });

  it('refuses a repeated key deep in params, and one spelled with an escape', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('dup-bot', 'alice@example.com');
    const deep = '{"action":"deploy.run","params":{"list":[{"to":"a","to":"b"}]}}';
    expect(expectError(await post(t, agent, '/v1/actions', deep), 400, 'invalid_request').details).toEqual([
      { path: 'params.list.0.to', message: 'this key appears more than once in its object' },
    ]);
    const escaped = '{"action":"deploy.run","\\u0061ction":"db.export"}';
    expectError(await post(t, agent, '/v1/actions', escaped), 400, 'invalid_request');
    await nothingSubmitted(t, agent);
  });

  it('refuses a repeated key on every /v1 body, not only submissions', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('dup-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const submitted = await post(t, agent, '/v1/actions', '{"action":"deploy.run"}');
    expect(submitted.status).toBe(201);
    const path = `/v1/actions/${submitted.body.id}/reviews`;
    const error = expectError(
      await post(t, bob, path, '{"decision":"deny","decision":"approve"}'),
      400,
      'invalid_request',
    );
    expect(error.details?.[0]?.path).toBe('decision');
    const still = await t.call<ActionRequest>('GET', `/v1/actions/${submitted.body.id}`, { key: agent });
    expect(still.body.status).toBe('pending');
  });
});

describe('malformed bodies', () => {
  it('answers 400 in the contract shape for broken JSON and for nesting meant to exhaust the stack', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('odd-bot', 'alice@example.com');
    for (const body of ['{"action":', '{"action":"x"} trailing', '['.repeat(50_000), '{"a":01}']) {
      const error = expectError(
        await post(t, agent, '/v1/actions', body),
        400,
        'invalid_request',
        body.slice(0, 20),
      );
      expect(error.details?.length).toBe(1);
    }
    await nothingSubmitted(t, agent);
  });
});

describe('the nesting limits', () => {
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  // Two limits refuse nesting: params and context nest 32 levels, the parser stops any body at 64.
  // Each refusal names the limit that refused it, so a client is never told 32 here and 64 there.
  it.for([
    [33, /^nested deeper than 32 levels: the most params and context may nest$/],
    [50, /^nested deeper than 32 levels: the most params and context may nest$/],
    [500, /^nested deeper than 64 levels: the most a request body may nest$/],
  ] as const)('params nested %i deep: 400 naming the limit it passed', async ([depth, message], test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('deep-bot', 'alice@example.com');
    const body = `{"action":"deploy.run","params":${nested(depth)}}`;
    const error = expectError(await post(t, agent, '/v1/actions', body), 400, 'invalid_request');
    expect(error.details?.map((d) => d.path.split('.')[0])).toEqual(['params']);
    expect(error.details?.[0]?.message).toMatch(message);
  });

  it('takes params nested 32 deep: a number inside the 32nd object is no 33rd level', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('deep-bot', 'alice@example.com');
    const reply = await post(t, agent, '/v1/actions', `{"action":"deploy.run","params":${nested(32)}}`);
    expect(reply.status).toBe(201);
  });
});

describe('content encodings', () => {
  // Nothing decodes a compressed body (http/content-encoding.ts): one declared so is refused, never
  // read as though plain: a plain body labelled gzip was accepted, a real gzip one was a syntax error.
  const body = '{"action":"deploy.run"}';
  it.for([
    ['plain JSON labelled gzip', 'gzip', body, 'gzip'],
    ['real gzip', 'gzip', gzipSync(body), 'gzip'],
    ['brotli', 'br', body, 'br'],
    ['gzip after identity', 'identity, GZIP', body, 'gzip'],
  ] as const)(
    'refuses %s with 415 unsupported_media_type naming it',
    async ([, encoding, sent, named], test) => {
      const t = await serverForTest(test, { policy: POLICY });
      const agent = await t.agentKey('zip-bot', 'alice@example.com');
      const res = await fetch(`${t.url}/v1/actions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${agent}`,
          'content-type': 'application/json',
          'content-encoding': encoding,
        },
        body: sent,
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toEqual({
        error: {
          code: 'unsupported_media_type',
          message: `Content-Encoding "${named}" is not accepted: send the body uncompressed`,
          details: [],
        },
      });
      await nothingSubmitted(t, agent);
    },
  );

  it('takes a body labelled identity, which is no encoding', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    const agent = await t.agentKey('zip-bot', 'alice@example.com');
    const reply = await t.call('POST', '/v1/actions', {
      key: agent,
      rawBody: body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
    });
    expect(reply.status).toBe(201);
  });
});
