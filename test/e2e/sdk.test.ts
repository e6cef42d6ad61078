import {
  ActionBlocked,
  ActionCancelled,
  ActionDenied,
  ActionExpired,
  actionDigest,
  CountersignError,
  type FetchLike,
} from '@countersign/shared/sdk';
import { describe, expect, it } from 'vitest';
import { rejection, sdkAgent } from './fixtures/sdk-agent';
import { listActions, pendingOf, review, startStack, unique, userKey, useStack } from './fixtures/stack';
import { api } from './processes';

const POLICY = `version: 1
groups:
  reviewers: [rita@example.com]
rules:
  - name: reads
    match: { action: "sdk.read*" }
    effect: allow
  - name: no-drops
    match: { action: "sdk.drop*" }
    effect: deny
    reason: Drops are never allowed from tests.
  - name: hurry
    match: { action: "sdk.hurry*" }
    effect: review
    approvers: [reviewers]
    timeout: 1s
default: { effect: review, approvers: [reviewers] }
`;

const stack = useStack(POLICY);

const principals = (options?: { fetch?: FetchLike }) => sdkAgent(stack, options);

describe('guard', () => {
  it('runs an allowed action once, after spending its grant', async () => {
    const { agent, countersign, runs, fn } = await principals();
    await expect(countersign.guard({ action: 'sdk.readReport', params: { n: 1 } }, fn)).resolves.toBe('done');
    expect(runs).toHaveLength(1);
    const [request] = await listActions(stack, agent);
    expect(request?.status).toBe('allowed');
    expect(request?.source).toBe('sdk');
    expect(request?.grant).toBeUndefined(); // spent: the server shows no usable grant any more
  });

  it('waits for a reviewer, then runs the approved action once', async () => {
    const { agent, countersign, runs, fn } = await principals();
    const seen: string[] = [];
    const guarded = countersign.guard({ action: 'db.export', resource: 'customers/eu' }, fn, {
      onUpdate: (r) => seen.push(r.status),
    });
    const pending = await pendingOf(stack, agent);
    expect(runs).toHaveLength(0);
    expect((await review(stack, stack.rita, pending.id, 'approve')).status).toBe(200);
    await expect(guarded).resolves.toBe('done');
    expect(runs).toHaveLength(1);
    expect(seen).toEqual(['pending', 'approved']);
  });

  it('throws ActionDenied with the reviewer and the reason, and never runs the code', async () => {
    const { agent, countersign, runs, fn } = await principals();
    const guarded = rejection(countersign.guard({ action: 'db.export', resource: 'customers/us' }, fn));
    const pending = await pendingOf(stack, agent);
    await review(stack, stack.rita, pending.id, 'deny', 'not during the freeze');
    const error = await guarded;
    expect(error).toBeInstanceOf(ActionDenied);
    expect(error).toMatchObject({ who: 'user:rita@example.com', reason: 'not during the freeze' });
    expect(runs).toHaveLength(0);
  });

  it('throws ActionBlocked with the rule and the policy reason', async () => {
    const { countersign, runs, fn } = await principals();
    const error = await rejection(countersign.guard({ action: 'sdk.dropTable', environment: 'prod' }, fn));
    expect(error).toBeInstanceOf(ActionBlocked);
    expect(error).toMatchObject({ rule: 'no-drops', reason: 'Drops are never allowed from tests.' });
    expect(runs).toHaveLength(0);
  });

  it('throws ActionExpired when nobody decides within the timeout', async () => {
    const { countersign, runs, fn } = await principals();
    const started = Date.now();
    const error = await rejection(countersign.guard({ action: 'sdk.hurryUp' }, fn));
    expect(error).toBeInstanceOf(ActionExpired);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(runs).toHaveLength(0);
  });

  it('throws ActionCancelled when the agent owner withdraws the request', async () => {
    const name = unique('sdk-bot');
    const owner = `${name}-owner@example.com`;
    const [{ agent, countersign, runs, fn }, ownerKey] = await Promise.all([
      sdkAgent(stack, { name, owner }),
      userKey(stack, owner, 'actions:write'),
    ]);
    const guarded = rejection(countersign.guard({ action: 'db.export', resource: 'x' }, fn));
    const pending = await pendingOf(stack, agent);
    const cancel = await api(stack.server.url, 'POST', `/v1/actions/${pending.id}/cancel`, ownerKey);
    expect(cancel.status).toBe(200);
    expect(await guarded).toBeInstanceOf(ActionCancelled);
    expect(runs).toHaveLength(0);
  });

  it('withdraws its pending request when the caller aborts', async () => {
    const { agent, countersign, runs, fn } = await principals();
    const abort = new AbortController();
    const guarded = rejection(
      countersign.guard({ action: 'db.export', resource: 'y' }, fn, { signal: abort.signal }),
    );
    const pending = await pendingOf(stack, agent);
    abort.abort(new Error('caller gave up'));
    expect(await guarded).toMatchObject({ message: 'caller gave up' });
    const after = await api<{ status: string }>(stack.server.url, 'GET', `/v1/actions/${pending.id}`, agent);
    expect(after.body.status).toBe('cancelled');
    expect(runs).toHaveLength(0);
  });
});

describe('the digest', () => {
  it('is computed locally with the server’s code, and equals the server’s', async () => {
    const { countersign } = await principals();
    const action = {
      action: 'sdk.readRows',
      resource: 'db/t',
      environment: 'dev',
      params: { b: [1, 'é'], a: 2.5 },
    };
    const handle = await countersign.request(action);
    expect(handle.digest).toBe(await actionDigest(action));
    expect(handle.request.digest).toBe(handle.digest);
  });

  it('refuses to spend a grant bound to another action, and the code does not run', async () => {
    // A proxy on the way rewrites the params: the server records, and would approve, another action.
    const paths: string[] = [];
    const tampering: FetchLike = (url, init) => {
      paths.push(new URL(url).pathname);
      if (init.method === 'POST' && url.endsWith('/v1/actions') && typeof init.body === 'string') {
        const body = JSON.parse(init.body) as { params: Record<string, unknown> };
        return fetch(url, {
          ...init,
          body: JSON.stringify({ ...body, params: { ...body.params, rows: 'all' } }),
        });
      }
      return fetch(url, init);
    };
    const { agent, countersign, runs, fn } = await principals({ fetch: tampering });
    const error = await rejection(countersign.guard({ action: 'sdk.readRows', params: { rows: 10 } }, fn));
    expect(error).toBeInstanceOf(CountersignError);
    expect(error).toMatchObject({ code: 'digest_mismatch' });
    expect(runs).toHaveLength(0);
    expect(paths).not.toContain('/v1/grants/redeem'); // refused here, before asking the server
    const [request] = await listActions(stack, agent);
    expect(request?.params).toEqual({ rows: 'all' });
    expect(request?.grant).toBeDefined(); // never redeemed
  });
});

describe('network trouble', () => {
  it('retries a submission whose answer was lost with the same Idempotency-Key: one request', async () => {
    let lost = 0;
    const losing: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (init.method === 'POST' && url.endsWith('/v1/actions') && lost++ === 0)
        throw new TypeError('fetch failed');
      return response;
    };
    const { agent, countersign, runs, fn } = await principals({ fetch: losing });
    await expect(countersign.guard({ action: 'sdk.readOnce' }, fn)).resolves.toBe('done');
    expect(lost).toBe(2);
    expect(await listActions(stack, agent)).toHaveLength(1);
    expect(runs).toHaveLength(1);
  });

  it('rides out a server restart while waiting, and completes with one request', async () => {
    const own = await startStack(POLICY);
    try {
      const [{ agent, countersign, runs, fn }, reviewer] = await Promise.all([
        sdkAgent(own),
        userKey(own, 'rita@example.com'),
      ]);
      const guarded = countersign.guard({ action: 'db.export', resource: 'restart' }, fn);
      const pending = await pendingOf(own, agent);
      const firstPid = own.server.child.pid;
      await own.restart();
      expect(own.server.child.pid).not.toBe(firstPid);
      expect((await review(own, reviewer, pending.id, 'approve')).status).toBe(200);
      await expect(guarded).resolves.toBe('done');
      expect(runs).toHaveLength(1);
      const all = await listActions(own, agent);
      expect(all.map((r) => [r.id, r.status])).toEqual([[pending.id, 'approved']]);
    } finally {
      await own.close();
    }
  });
});
