import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../multinode/cluster';
import { startTeamsEmulator, type TeamsEmulator } from '../teams-emulator';
import {
  CHANNEL,
  install,
  PEOPLE,
  say,
  seedEmulator,
  type TeamsTest,
  teamsEnv,
  until,
  type Who,
} from './teams-harness';

// Three nodes over one sqld, each running the Teams bot and draining the one Teams outbox: a
// break-glass still reaches each approver 1:1 exactly once (the per-approver rows are leased).
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: prod-fix
    match: { action: prod.* }
    effect: review
    approvers: [sre]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
    teams: "Platform/Approvals"
default: { effect: review, approvers: [sre] }
`;
const REASON = 'Payments are down and no approver answers the page at 03:00.';
const REQUESTS = 6;

describe('Teams on three nodes: a break-glass card per approver, once', () => {
  let dir: string;
  let cluster: Cluster;
  let ms: TeamsEmulator;
  const on = (i: number): TeamsTest => {
    const t = cluster.nodes[i % cluster.nodes.length];
    if (!t) throw new Error('no node');
    return { t, ms, restart: async () => undefined };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-teams-nodes-'));
    ms = await startTeamsEmulator();
    seedEmulator(ms);
    cluster = await startCluster(dir, { nodes: 3, env: teamsEnv(ms), policy: POLICY });
    await install(on(0));
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await ms?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const cardsTo = (who: Who, id: string) =>
    ms.posts.filter(
      (p) =>
        ms.conversations.get(p.conversationId)?.members.includes(PEOPLE[who].teamsId) &&
        JSON.stringify(p.activity).includes(id),
    );

  it('each approver gets one card per break-glass, whichever node breaks it and whichever delivers', async () => {
    await say(on(1), 'alice', 'approvals');
    await say(on(2), 'bob', 'approvals');
    const key = await on(0).t.agentKey('fixer', 'olga@example.com');
    const ids = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const { body } = await on(i).t.call<{ id: string }>('POST', '/v1/actions', {
          key,
          body: { action: 'prod.restart', resource: `payments-${i}` },
        });
        await until(
          () =>
            ms.posts.find(
              (p) =>
                p.conversationId === CHANNEL && !p.replyTo && JSON.stringify(p.activity).includes(body.id),
            ),
          20_000,
        );
        const broken = await on(i + 1).t.call('POST', `/v1/actions/${body.id}/break-glass`, {
          key,
          body: { reason: REASON },
        });
        expect(broken.status).toBe(200);
        return body.id;
      }),
    );
    await until(
      () =>
        ids.every((id) => cardsTo('alice', id).length > 0 && cardsTo('bob', id).length > 0)
          ? true
          : undefined,
      30_000,
    );
    // Time for any second copy a node might still send.
    await new Promise((r) => setTimeout(r, 2000));
    for (const id of ids) {
      expect(cardsTo('alice', id)).toHaveLength(1);
      expect(cardsTo('bob', id)).toHaveLength(1);
      expect(cardsTo('olga', id)).toHaveLength(0);
    }
  }, 90_000);
});
