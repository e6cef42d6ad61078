import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRequest } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sqld, startSqld } from '../fixtures/sqld';
import { agentKey, userKey } from './fixtures/stack';
import { api, runCli, type ServeProcess, startServe, tempDir } from './processes';

describe('two Countersign nodes sharing one libSQL server', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let sqld: Sqld;
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
    await sqld?.stop();
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
    const agent = await agentKey({ env }, 'deployer', 'owner@example.com');
    const o1 = await userKey({ env }, 'o1@example.com', 'reviews:write');
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
    const agent = await agentKey({ env }, 'racer', 'owner@example.com');
    const reviewers = await Promise.all(
      ['o2', 'o3', 'o4', 'o5', 'o6'].map((who) => userKey({ env }, `${who}@example.com`, 'reviews:write')),
    );
    const auditor = await userKey({ env }, 'auditor@example.com', 'audit:read');
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
