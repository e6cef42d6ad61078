import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRequest } from '@countersign/shared';
import { type Client, createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../e2e/processes';
import {
  type Answer,
  envNumber,
  Http,
  mintKeys,
  type Node,
  type Sqld,
  sleep,
  startNode,
  startSqld,
  verifyChain,
} from './fixtures';

// One person per vote: 100 eligible approvers, each with a key of their own.
const CROWD = Array.from({ length: 100 }, (_, i) => `r${String(i).padStart(3, '0')}@example.com`);
const POLICY = [
  'version: 1',
  'groups:',
  `  crowd: [${CROWD.join(', ')}]`,
  'defaults: { timeout: 15m, grantTtl: 5m }',
  'rules:',
  '  - { name: free, match: { action: "**.get*" }, effect: allow }',
  '  - { name: quorum, match: { action: "quorum.*" }, effect: review, approvers: [crowd], minApprovals: 2 }',
  '  - { name: brief, match: { action: "brief.*" }, effect: review, approvers: [crowd], timeout: 1s }',
  '  - { name: single, match: { action: "**" }, effect: review, approvers: [crowd] }',
  '',
].join('\n');
const SECRET = 'a-shared-secret-of-at-least-32-characters';
const DECISIONS = ['action.approved', 'action.denied', 'action.cancelled', 'action.expired'];

type Topology = {
  nodes: Http[];
  db: Client;
  agent: string;
  auditor: string;
  reviewers: string[];
  stop(): Promise<void>;
};

async function topology(kind: 'one node on a file' | 'two nodes on sqld'): Promise<Topology> {
  const dir = await tempDir();
  const policy = join(dir.dir, 'policy.yaml');
  await writeFile(policy, POLICY);
  let sqld: Sqld | undefined;
  let dbUrl = `file:${join(dir.dir, 'countersign.db')}`;
  if (kind === 'two nodes on sqld') {
    sqld = await startSqld(dir.dir);
    dbUrl = sqld.url;
  }
  // The sweeper runs often so that an expiry lands within the test's patience.
  const env = {
    COUNTERSIGN_DB_URL: dbUrl,
    COUNTERSIGN_POLICY: policy,
    COUNTERSIGN_SECRET: SECRET,
    COUNTERSIGN_RATE_LIMIT: '0',
    COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS: '50',
    COUNTERSIGN_SWEEP_INTERVAL_MS: '200',
  };
  const [agent = '', auditor = '', ...reviewers] = await mintKeys(env, [
    { agent: 'racer', owner: 'owner@example.com' },
    { user: 'auditor@example.com', scopes: ['audit:read'] },
    ...CROWD.map((user) => ({ user })),
  ]);
  const count = kind === 'two nodes on sqld' ? 2 : 1;
  const started: Node[] = [];
  for (let i = 0; i < count; i++) started.push(await startNode(env));
  const nodes = started.map((n) => new Http(n.url, 128));
  const db = createClient({ url: dbUrl, ...(sqld ? {} : { timeout: 5_000 }) });
  return {
    nodes,
    db,
    agent,
    auditor,
    reviewers,
    stop: async () => {
      db.close();
      await Promise.all(nodes.map((n) => n.close()));
      await Promise.all(started.map((n) => n.stop()));
      await sqld?.stop();
      await dir.remove();
    },
  };
}

/** The audit events about one request, by type, read from the database itself. */
async function eventTypes(db: Client, subject: string): Promise<string[]> {
  const rs = await db.execute({
    sql: 'SELECT type FROM audit_events WHERE subject = ? ORDER BY seq',
    args: [subject],
  });
  return rs.rows.map((r) => String(r.type));
}

const count = (types: string[], type: string) => types.filter((t) => t === type).length;
const statuses = (answers: Answer[]) =>
  answers.reduce<Record<string, number>>((acc, a) => {
    acc[a.status] = (acc[a.status] ?? 0) + 1;
    return acc;
  }, {});
const tally = (items: string[]) =>
  items.reduce<Record<string, number>>((acc, x) => {
    acc[x] = (acc[x] ?? 0) + 1;
    return acc;
  }, {});
const errorCode = (a: Answer) => (a.body as { error?: { code?: string } }).error?.code;

describe.each(['one node on a file', 'two nodes on sqld'] as const)('races, %s', (kind) => {
  let t: Topology;
  // Spreads calls over the nodes so that, with two, every race crosses them.
  const on = (i: number): Http => t.nodes[i % t.nodes.length] as Http;

  beforeAll(async () => {
    t = await topology(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('counts exactly 2 of 100 concurrent approvals of a quorum-2 request: one decision, one grant', async () => {
    const submitted = await on(0).call<ActionRequest>('POST', '/v1/actions', {
      key: t.agent,
      body: { action: 'quorum.deploy' },
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    const answers = await Promise.all(
      t.reviewers.map((key, i) =>
        on(i).call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, {
          key,
          body: { decision: 'approve' },
        }),
      ),
    );
    const shown = JSON.stringify(statuses(answers));
    expect(
      answers.filter((a) => a.status >= 500),
      shown,
    ).toEqual([]);
    expect(
      answers.filter((a) => a.status === 200),
      shown,
    ).toHaveLength(2);
    for (const a of answers.filter((x) => x.status !== 200)) expect(errorCode(a), a.text).toBe('not_pending');

    const reviews = await t.db.execute({
      sql: 'SELECT reviewer FROM reviews WHERE action_id = ?',
      args: [id],
    });
    expect(reviews.rows).toHaveLength(2);
    const grants = await t.db.execute({ sql: 'SELECT id FROM grants WHERE action_id = ?', args: [id] });
    expect(grants.rows).toHaveLength(1);
    const types = await eventTypes(t.db, id);
    expect(count(types, 'review.recorded')).toBe(2);
    expect(count(types, 'action.approved')).toBe(1);
    expect(DECISIONS.map((d) => count(types, d)).reduce((a, b) => a + b)).toBe(1);
    expect(count(types, 'grant.issued')).toBe(1);
    const read = await on(1).call<ActionRequest>('GET', `/v1/actions/${id}`, { key: t.agent });
    expect(read.body.status).toBe('approved');
    expect(read.body.approvals.received).toBe(2);
  });

  it('answers exactly one of 100 concurrent redeems of one grant with 200', async () => {
    const allowed = await on(0).call<ActionRequest>('POST', '/v1/actions', {
      key: t.agent,
      body: { action: 'bucket.getObject', resource: 'reports/q3' },
    });
    expect(allowed.status).toBe(201);
    const token = allowed.body.grant?.token;
    expect(token).toBeTruthy();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        on(i).call('POST', '/v1/grants/redeem', {
          key: t.agent,
          body: { token, digest: allowed.body.digest },
        }),
      ),
    );
    const shown = JSON.stringify(statuses(answers));
    expect(
      answers.filter((a) => a.status === 200),
      shown,
    ).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect(errorCode(a), a.text).toBe('grant_used');
    const types = await eventTypes(t.db, allowed.body.id);
    expect(count(types, 'grant.redeemed')).toBe(1);
  });

  it('settles approve vs deny vs cancel vs expiry at one instant into exactly one final state', async () => {
    // Rounds run side by side, each fired at its own offset around its expiry, so each contender gets to win.
    const rounds = envNumber('RACE_ROUNDS', 12);
    const winners = await Promise.all(Array.from({ length: rounds }, (_, round) => contend(round, rounds)));
    // A record of who won, for docs/reliability.md; which one wins is not the property under test.
    console.info(`[races ${kind}] approve/deny/cancel/expiry winners: ${JSON.stringify(tally(winners))}`);
  });

  async function contend(round: number, rounds: number): Promise<string> {
    const submitted = await on(round).call<ActionRequest>('POST', '/v1/actions', {
      key: t.agent,
      body: { action: 'brief.rotate', params: { round } },
    });
    expect(submitted.status).toBe(201);
    const { id, expiresAt } = submitted.body;
    // Early rounds fire well before the expiry (the three calls race each other), the last ones on it
    // (they race the expiry too): the spread must outlast a request's trip on a busy machine.
    const at = Date.parse(expiresAt ?? '') - (rounds - 1 - round) * 60;
    await sleep(Math.max(0, at - Date.now()));
    const [approve, deny, cancel] = await Promise.all([
      on(round).call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, {
        key: t.reviewers[(round * 2) % t.reviewers.length] ?? '',
        body: { decision: 'approve' },
      }),
      on(round + 1).call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, {
        key: t.reviewers[(round * 2 + 1) % t.reviewers.length] ?? '',
        body: { decision: 'deny', comment: 'not at this hour' },
      }),
      on(round).call<ActionRequest>('POST', `/v1/actions/${id}/cancel`, { key: t.agent }),
    ]);
    const answers = [approve, deny, cancel];
    const shown = `round ${round}: ${JSON.stringify(answers.map((a) => a.text))}`;
    expect(
      answers.filter((a) => a.status >= 500),
      shown,
    ).toEqual([]);
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length, shown).toBeLessThanOrEqual(1);
    const expected =
      ok[0] === approve ? 'approved' : ok[0] === deny ? 'denied' : ok[0] ? 'cancelled' : 'expired';

    // An expiry is made final (and audited) by the first reader or the sweeper: wait for its event.
    let types: string[] = [];
    for (let i = 0; i < 50; i++) {
      types = await eventTypes(t.db, id);
      if (DECISIONS.some((d) => types.includes(d))) break;
      await sleep(100);
    }
    expect(
      types.filter((x) => DECISIONS.includes(x)),
      shown,
    ).toEqual([`action.${expected}`]);
    expect(count(types, 'grant.issued'), shown).toBe(expected === 'approved' ? 1 : 0);
    const read = await on(round + 1).call<ActionRequest>('GET', `/v1/actions/${id}`, { key: t.agent });
    expect(read.body.status, shown).toBe(expected);
    return expected;
  }

  it('makes one request of 50 identical submits sharing one Idempotency-Key', async () => {
    const body = { action: 'deploy.web', environment: 'prod', params: { version: 42 } };
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        on(i).call<ActionRequest>('POST', '/v1/actions', {
          key: t.agent,
          body,
          headers: { 'idempotency-key': `one-${kind}` },
        }),
      ),
    );
    const shown = JSON.stringify(statuses(answers));
    expect(
      answers.filter((a) => a.status !== 200 && a.status !== 201),
      shown,
    ).toEqual([]);
    expect(
      answers.filter((a) => a.status === 201),
      shown,
    ).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const rows = await t.db.execute({
      sql: 'SELECT id FROM actions WHERE idempotency_key = ?',
      args: [`one-${kind}`],
    });
    expect(rows.rows).toHaveLength(1);
    const types = await eventTypes(t.db, String(rows.rows[0]?.id));
    expect(count(types, 'action.submitted')).toBe(1);
  });

  it('keeps one audit chain that verifies, up to its newest signed checkpoint, on every node', async () => {
    for (const node of t.nodes) {
      const chain = await verifyChain(node.url, t.auditor);
      expect(chain.plain.ok, chain.shown).toBe(true);
      expect(chain.checkpointSeq, 'a signed checkpoint exists').toBeDefined();
      expect(chain.against?.ok, chain.shown).toBe(true);
    }
  });
});
