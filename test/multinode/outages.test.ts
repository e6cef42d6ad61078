import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Countersign } from '@countersign/shared/sdk';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startTestServer } from '../../server/test/harness';
import { type Cluster, startCluster } from './cluster';

describe('sqld stopped and started again under running nodes', () => {
  let dir: string;
  let cluster: Cluster;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-multinode-'));
    cluster = await startCluster(dir, { nodes: 2 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 unavailable with Retry-After while sqld is down, turns unready, and recovers without a restart', async () => {
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('two nodes');
    const agent = await a.agentKey('deployer', 'erin@example.com');
    expect((await a.call('GET', '/readyz')).status).toBe(200);

    await cluster.sqld.stop();
    for (const node of [a, b]) {
      const submitted = await node.call('POST', '/v1/actions', {
        key: agent,
        body: { action: 'deploy.web' },
      });
      expectError(submitted, 503, 'unavailable', 'submit during the outage');
      expect(submitted.headers.get('retry-after')).toBe('5');
      const ready = await node.call('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
    }

    await cluster.sqld.start();
    for (const node of [a, b]) {
      expect((await node.call('GET', '/readyz')).status).toBe(200);
      const submitted = await node.call('POST', '/v1/actions', {
        key: agent,
        body: { action: 'deploy.web' },
      });
      expect(submitted.status).toBe(201);
    }
  }, 60_000);

  it('lets the SDK ride out an sqld outage: a submission during it is retried and lands once', async () => {
    const [a] = cluster.nodes;
    if (!a) throw new Error('a node');
    const agent = await a.agentKey('sdk-agent', 'erin@example.com');
    await cluster.sqld.stop();
    const answers: number[] = [];
    const watched = new Countersign({
      url: a.url,
      key: agent,
      retry: { maxElapsedMs: 30_000 },
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        answers.push(response.status);
        return response;
      },
    });
    const pending = watched.request({ action: 'deploy.web' });
    await new Promise((r) => setTimeout(r, 1_500));
    await cluster.sqld.start();
    const handle = await pending;
    expect(handle.request.status).toBe('pending');
    // It saw the outage as 503s, retried, and the server recorded the submission once.
    expect(answers.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(answers.at(-1)).toBe(201);
    const db = createClient({ url: cluster.sqld.url });
    const rows = await db.execute("SELECT count(*) AS n FROM actions WHERE requester_id = 'agent:sdk-agent'");
    expect(Number(rows.rows[0]?.n)).toBe(1);
    db.close();
  }, 60_000);
});

describe('a database file deleted under a running server', () => {
  it('stops acknowledging writes (503), turns unready, and the next start refuses to begin empty', async () => {
    const t = await startTestServer();
    const agent = await t.agentKey('deployer', 'erin@example.com');
    expect((await t.call('POST', '/v1/actions', { key: agent, body: { action: 'deploy.web' } })).status).toBe(
      201,
    );

    await unlink(t.dbFile);
    const submitted = await t.call('POST', '/v1/actions', { key: agent, body: { action: 'deploy.web' } });
    expectError(submitted, 503, 'unavailable', 'a write after the file went');
    expectError(await t.call('GET', '/readyz'), 503, 'unavailable');

    await t.stop({ keepDir: true });
    await expect(startTestServer({ dir: t.dir })).rejects.toThrow(/missing, but a database existed there/);
    await rm(t.dir, { recursive: true, force: true });
  });
});
