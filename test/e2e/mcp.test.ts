import { CallToolResultSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSessions, connectDirect, connectGateway, textOf } from './fixtures/mcp-session';
import { eventually, listActions, pendingOf, review, useStack } from './fixtures/stack';

const POLICY = `version: 1
groups:
  reviewers: [rita@example.com]
rules:
  - name: reads
    match: { action: "mcp.fs.read_*" }
    effect: allow
  - name: deletes
    match: { action: "mcp.fs.delete_*" }
    effect: review
    approvers: [reviewers]
  - name: no-archiving
    match: { action: "mcp.fs.archive_*" }
    effect: deny
    reason: Archiving is the nightly job's work.
`;

const stack = useStack(POLICY);
afterAll(closeSessions); // after-hooks run last-registered first: the sessions close before the stack
const connect = (overrides?: Record<string, string>) => connectGateway(stack, overrides);

describe('countersign mcp', () => {
  it('passes initialize and tools/list through unchanged', async () => {
    const { client } = await connect();
    const direct = await connectDirect();
    expect(await client.listTools()).toEqual(await direct.listTools());
    expect(client.getServerVersion()).toEqual(direct.getServerVersion());
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(['read_note', 'delete_note', 'archive note!']);
  });

  it('lets an allowed call through at once, with its hints in the request and without the agent key', async () => {
    const { client, key, calls } = await connect();
    await client.listTools();
    const result = await client.callTool({ name: 'read_note', arguments: { name: 'todo' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('buy milk');
    expect(await calls()).toEqual([{ tool: 'read_note', args: { name: 'todo' }, sawCountersignKey: false }]);
    const [request] = await listActions(stack, key);
    expect(request).toMatchObject({
      status: 'allowed',
      action: 'mcp.fs.read_note',
      params: { name: 'todo' },
      source: 'mcp',
      context: { server: 'fs', tool: 'read_note', annotations: { readOnlyHint: true } },
    });
    expect(request?.grant).toBeUndefined(); // spent before the call went through
  });

  it('holds a destructive call past the client timeout with progress, and runs it once approved', async () => {
    const { client, key, calls } = await connect();
    await client.listTools();
    const progress: Progress[] = [];
    // A 1.5 s timeout, approval after 2 s: only the progress notifications keep the call alive.
    const started = Date.now();
    const call = client.callTool(
      { name: 'delete_note', arguments: { name: 'ideas' } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true, timeout: 1_500 },
    );
    const pending = await pendingOf(stack, key);
    expect(pending.context).toMatchObject({
      tool: 'delete_note',
      annotations: { destructiveHint: true, readOnlyHint: false },
    });
    await eventually(() => (progress.length >= 3 ? true : undefined), 'three progress notifications');
    expect(await calls()).toEqual([]);
    expect(progress[0]?.message).toMatch(/waiting for approval by reviewers \(0 of 1\)/);
    expect(progress.map((p) => p.progress)).toEqual(
      [...progress.map((p) => p.progress)].sort((a, b) => a - b),
    );
    await new Promise((r) => setTimeout(r, Math.max(0, 2_000 - (Date.now() - started))));
    await review(stack, stack.rita, pending.id, 'approve');
    const result = await call;
    expect(textOf(result)).toBe('deleted ideas');
    expect((await calls()).map((c) => c.tool)).toEqual(['delete_note']);
  });

  it('answers a denied call with an error result naming the reviewer and reason; the tool never runs', async () => {
    const { client, key, calls } = await connect();
    const call = client.callTool({ name: 'delete_note', arguments: { name: 'todo' } });
    const pending = await pendingOf(stack, key);
    await review(stack, stack.rita, pending.id, 'deny', 'keep the todo list');
    const result = await call;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/denied by user:rita@example\.com: keep the todo list/);
    expect(textOf(result)).toMatch(/The tool was not run/);
    expect(await calls()).toEqual([]);
  });

  it('maps a tool name outside the action charset, keeps the original, and reports a policy block', async () => {
    const { client, key, calls } = await connect();
    const result = await client.callTool({ name: 'archive note!', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /blocked by policy rule no-archiving: Archiving is the nightly job's work\./,
    );
    const [request] = await listActions(stack, key);
    // Not listed by the client first: the gateway asked the real server for the tool's hints itself.
    expect(request).toMatchObject({
      action: 'mcp.fs.archive_note_',
      context: { tool: 'archive note!', annotations: { destructiveHint: true } },
    });
    expect(await calls()).toEqual([]);
  });

  it('withdraws a held call the client cancels, and never runs it', async () => {
    const { client, key, calls } = await connect();
    const abort = new AbortController();
    const call = client.callTool({ name: 'delete_note', arguments: { name: 'todo' } }, CallToolResultSchema, {
      signal: abort.signal,
    });
    const pending = await pendingOf(stack, key);
    abort.abort(new Error('user pressed stop'));
    await expect(call).rejects.toThrow(/user pressed stop/);
    const cancelled = await eventually(
      async () =>
        (await listActions(stack, key)).find((r) => r.id === pending.id && r.status === 'cancelled'),
      'the request to be cancelled',
    );
    expect(cancelled.status).toBe('cancelled');
    expect(await calls()).toEqual([]);
  });

  it('fails closed when Countersign is unreachable: an error result, and the tool is not called', async () => {
    const { client, calls } = await connect({ COUNTERSIGN_URL: 'http://127.0.0.1:9' });
    expect((await client.listTools()).tools).toHaveLength(3);
    const result = await client.callTool({ name: 'read_note', arguments: { name: 'todo' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Countersign could not be reached .*The tool was not run/);
    expect(await calls()).toEqual([]);
  });
});
