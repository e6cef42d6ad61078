import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { review, submit } from '../../server/test/harness';
import { hasButtons, postsOf, shown } from '../slack/slack-flows';
import { type Cluster, size, startCluster } from './cluster';
import { startReceiver, until } from './receiver';

const REQUESTS = size('MULTINODE_REQUESTS', 24);

describe('three nodes on one sqld drain one outbox', () => {
  let dir: string;
  let cluster: Cluster;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-multinode-'));
    cluster = await startCluster(dir, { nodes: 3, slack: true });
    receiver = await startReceiver();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers each webhook and each Slack message once, and leaves no live buttons on a decided request', async () => {
    const [a, b, c] = cluster.nodes;
    if (!a || !b || !c) throw new Error('three nodes');
    const slack = cluster.slack;
    if (!slack) throw new Error('slack');
    const agent = await a.agentKey('deployer', 'erin@example.com');
    const alice = await a.userKey('alice@example.com', ['reviews:write']);
    const nodes = [a, b, c];

    const ids: string[] = [];
    const withoutCallback: string[] = [];
    await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const node = nodes[i % 3] ?? a;
        const hook = i % 4 !== 3; // every fourth request names no callbackUrl
        const request = await submit(node, agent, {
          action: 'deploy.web',
          environment: 'prod',
          ...(hook && { callbackUrl: receiver.url }),
        });
        (hook ? ids : withoutCallback).push(request.id);
        // Decided on another node than the one it was asked on.
        const decided = await review(nodes[(i + 1) % 3] ?? a, alice, request.id, 'approve');
        expect(decided.status).toBe(200);
      }),
    );

    await until(() => ids.every((id) => receiver.perAction.has(id)), 30_000, 'every webhook');
    const all = [...ids, ...withoutCallback];
    await until(
      () =>
        all.every((id) => slack.messages.some((m) => shown(m.blocks).includes(id) && !hasButtons(m.blocks))),
      30_000,
      'every Slack message settled',
    );
    // Let any second node that would deliver again have its chance.
    await new Promise((r) => setTimeout(r, 1_500));

    const duplicates = [...receiver.perAction].filter(([, n]) => n !== 1);
    expect(duplicates).toEqual([]);
    expect([...receiver.perAction.keys()].sort()).toEqual([...ids].sort());
    for (const id of all) {
      expect(postsOf(slack, id), id).toHaveLength(1);
      const copies = slack.messages.filter((m) => shown(m.blocks).includes(id) && m.threadTs === undefined);
      expect(
        copies.filter((m) => hasButtons(m.blocks)),
        `${id} live buttons`,
      ).toEqual([]);
    }
    // Every thread reply and DM once: no two identical posts to the same place.
    const posts = slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.blocks === undefined)
      .map((call) => `${String(call.args.channel)}|${String(call.args.thread_ts)}|${String(call.args.text)}`);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.filter((p, i) => posts.indexOf(p) !== i)).toEqual([]);

    const db = createClient({ url: cluster.sqld.url });
    const rows = await db.execute({
      sql: `SELECT count(*) AS n FROM outbox WHERE sink = 'webhook' AND action_id IN (${withoutCallback.map(() => '?').join(',')})`,
      args: withoutCallback,
    });
    expect(Number(rows.rows[0]?.n)).toBe(0);
    db.close();
  }, 90_000);
});
