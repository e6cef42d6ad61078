import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { review, submit } from '../../server/test/harness';
import { ROOT, type ServeProcess, startServe } from '../e2e/processes';
import { postsOf } from '../slack/slack-flows';
import { type Cluster, size, startCluster } from './cluster';
import { startReceiver, until } from './receiver';

const REQUESTS = size('MULTINODE_REQUESTS', 24);
const LEASE_MS = 2_000;

describe('a node killed with SIGKILL mid-load, and a writer dying inside a transaction', () => {
  let dir: string;
  let cluster: Cluster;
  let doomed: ServeProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-multinode-'));
    cluster = await startCluster(dir, {
      nodes: 2,
      slack: true,
      env: { COUNTERSIGN_OUTBOX_LEASE_MS: String(LEASE_MS), COUNTERSIGN_RATE_LIMIT: '1000000' },
    });
    const [a] = cluster.nodes;
    if (!a) throw new Error('a node');
    // The third node is a real process, so it can die the hard way.
    doomed = await startServe({ ...cluster.env, COUNTERSIGN_POLICY: a.policyFile, LOG_LEVEL: 'warn' });
    // A slow receiver keeps deliveries in flight (leased) when the node dies.
    receiver = await startReceiver(150);
  }, 90_000);
  afterAll(async () => {
    // Killed by the test: nothing left to stop (stop() would wait for a close already past).
    if (doomed && doomed.child.exitCode === null && doomed.child.signalCode === null) await doomed.stop();
    await cluster?.stop();
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every webhook and Slack message after the kill, duplicates only within the crash window', async () => {
    const [a, b] = cluster.nodes;
    const slack = cluster.slack;
    if (!a || !b || !slack) throw new Error('two nodes and Slack');
    const agent = await a.agentKey('deployer', 'erin@example.com');
    const alice = await a.userKey('alice@example.com', ['reviews:write']);
    const ids = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const url = i % 3 === 0 ? doomed.url : (i % 3 === 1 ? a : b).url;
        const res = await fetch(`${url}/v1/actions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'deploy.web', callbackUrl: receiver.url }),
        });
        expect(res.status).toBe(201);
        return ((await res.json()) as { id: string }).id;
      }),
    );
    const reviews = ids.map((id, i) => review(i % 2 ? a : b, alice, id, 'approve'));
    // Mid-load: some decisions made, deliveries in flight on every node.
    await until(() => receiver.perAction.size >= 2, 30_000, 'the first webhooks');
    doomed.child.kill('SIGKILL');
    for (const r of await Promise.all(reviews)) expect(r.status).toBe(200);

    await until(() => ids.every((id) => receiver.perAction.has(id)), 30_000, 'every webhook after the kill');
    await until(() => ids.every((id) => postsOf(slack, id).length > 0), 30_000, 'every Slack post');
    await new Promise((r) => setTimeout(r, LEASE_MS + 1_000));
    const webhookDuplicates = [...receiver.perAction.values()].reduce((n, count) => n + count - 1, 0);
    const slackDuplicates = ids.reduce((n, id) => n + postsOf(slack, id).length - 1, 0);
    console.info(
      `multinode kill -9: ${ids.length} requests, webhook duplicates ${webhookDuplicates}, Slack post duplicates ${slackDuplicates}`,
    );
    // At most what the dead node held leased when it died: one webhook batch, one Slack batch.
    expect(webhookDuplicates).toBeLessThanOrEqual(20);
    expect(slackDuplicates).toBeLessThanOrEqual(5);
  }, 120_000);

  it('stalls writes on the other nodes only for sqld’s transaction timeout when a writer dies mid-transaction', async () => {
    const [a] = cluster.nodes;
    if (!a) throw new Error('a node');
    const agent = await a.agentKey('stall', 'erin@example.com');
    // A separate process opens a write transaction, writes, and is killed before it commits.
    const script = `
      import { createClient } from '@libsql/client';
      const client = createClient({ url: ${JSON.stringify(cluster.sqld.url)} });
      const tx = await client.transaction('write');
      await tx.execute("INSERT INTO readiness_probe (id, node, at) VALUES (2, 'dying', 0)");
      console.log('inside');
      setInterval(() => {}, 1000);`;
    const writer = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(ROOT, 'test'),
    });
    await new Promise<void>((resolve, reject) => {
      writer.stdout.on('data', (d: Buffer) => (String(d).includes('inside') ? resolve() : undefined));
      writer.once('close', (code) => reject(new Error(`the writer exited ${code}`)));
    });
    writer.kill('SIGKILL');
    const started = Date.now();
    const submitted = await submit(a, agent, { action: 'deploy.web' });
    const stallMs = Date.now() - started;
    console.info(`multinode stall after a writer died mid-transaction: ${stallMs} ms`);
    expect(submitted.status).toBe('pending');
    // sqld gives up on the orphaned transaction after its timeout (≈5 s); writes then go on.
    expect(stallMs).toBeLessThan(15_000);
  }, 60_000);
});
