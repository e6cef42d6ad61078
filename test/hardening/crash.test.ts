import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signSlackRequest } from '@countersign/bot';
import type { ActionRequest } from '@countersign/shared';
import { type Client, createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../e2e/processes';
import { hasButtons, postsOf } from '../slack/slack-flows';
import { buttonClick, PEOPLE, SIGNING_SECRET, type Who } from '../slack/slack-harness';
import { type SlackEmulator, startSlackEmulator } from '../slack-emulator';
import {
  envNumber,
  eventually,
  mintKeys,
  type Node,
  seededRandom,
  sleep,
  startNode,
  startWebhookReceiver,
  verifyChain,
} from './fixtures';

// CRASH_KILLS and CRASH_SEED size and replay a run; CI's default is ten kills at seeded moments.
const KILLS = envNumber('CRASH_KILLS', 10);
const SEED = envNumber('CRASH_SEED', 20_260_902);
const AGENTS = envNumber('CRASH_AGENTS', 12);
// Each agent pauses this long between actions: the suite proves what survives a kill, not throughput, and
// every held request leaves Slack deliveries to drain afterwards (CRASH_PACE_MS=0 for a flat-out run).
const PACE_MS = envNumber('CRASH_PACE_MS', 400);
const DECISIONS = ['action.approved', 'action.denied', 'action.cancelled', 'action.expired'];
const SETTLED = new Set(['approved', 'denied', 'cancelled', 'expired']);

const POLICY = `
version: 1
groups:
  ops: [alice@example.com, bob@example.com, carol@example.com, dan@example.com]
rules:
  - { name: reads-are-free, match: { action: "**.getRow" }, effect: allow }
  - { name: held, match: { action: "deploy.*" }, effect: review, approvers: [ops] }
`;

/** What the clients were told with a 2xx: each of these must be in the database afterwards. */
type Acks = {
  submits: Map<string, { agent: number }>;
  reviews: Array<{ id: string; email: string; decision: 'approve' | 'deny'; status: string }>;
  cancels: string[];
  /** Grant redemptions answered 200, per request: more than one is a grant spent twice. */
  redeems: Map<string, number>;
  slackClicks: number;
  failures: number;
};

describe('kill -9 under a mixed load', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let slack: SlackEmulator;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let node: Node;
  let env: Record<string, string>;
  let db: Client;
  const kills: number[] = [];
  const acks: Acks = {
    submits: new Map(),
    reviews: [],
    cancels: [],
    redeems: new Map(),
    slackClicks: 0,
    failures: 0,
  };

  beforeAll(async () => {
    dir = await tempDir();
    slack = await startSlackEmulator();
    for (const p of Object.values(PEOPLE))
      slack.addUser({ id: p.id, email: p.email, name: p.email.split('@')[0] });
    hooks = await startWebhookReceiver();
    const policy = join(dir.dir, 'policy.yaml');
    await writeFile(policy, POLICY);
    env = {
      COUNTERSIGN_DB_URL: `file:${join(dir.dir, 'countersign.db')}`,
      COUNTERSIGN_POLICY: policy,
      COUNTERSIGN_RATE_LIMIT: '0',
      // Checkpoints every few events, so several are signed between kills and the last one is checked.
      COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS: '25',
      COUNTERSIGN_WEBHOOK_HOSTS: `127.0.0.1:${hooks.port}`,
      // A killed node's leases must run out well inside the 30 s drain wait (the default is 30 s,
      // which made the drain race the last kill's leases).
      COUNTERSIGN_OUTBOX_LEASE_MS: '5000',
      SLACK_BOT_TOKEN: slack.options.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_APPROVALS_CHANNEL: '#ops-approvals',
    };
    db = createClient({ url: env.COUNTERSIGN_DB_URL ?? '', timeout: 5_000 });
  }, 60_000);

  afterAll(async () => {
    db?.close();
    await node?.stop();
    await hooks?.close();
    await slack?.stop();
    await dir?.remove();
  });

  it('keeps every acknowledged change, decides once, redeems once, delivers every message, and its chain verifies', async () => {
    const random = seededRandom(SEED);
    const started = Date.now();
    const [auditor = '', ...rest] = await mintKeys(env, [
      { user: 'auditor@example.com', scopes: ['audit:read'] },
      { user: 'alice@example.com' },
      { user: 'bob@example.com' },
      ...Array.from({ length: AGENTS }, (_, i) => ({ agent: `agent-${i}`, owner: 'owner@example.com' })),
    ]);
    const apiReviewers = rest
      .slice(0, 2)
      .map((key, i) => ({ key, email: i === 0 ? 'alice@example.com' : 'bob@example.com' }));
    const agents = rest.slice(2);
    node = await startNode(env);

    let running = true;
    const pending: string[] = [];
    const own: string[][] = agents.map(() => []);

    /** One HTTP call to whichever server is up now; undefined when the call did not get an answer. */
    async function call<T>(
      method: string,
      path: string,
      key: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) {
      try {
        const res = await fetch(`${node.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const parsed = (await res.json().catch(() => ({}))) as T;
        if (res.status >= 500) acks.failures += 1;
        return { status: res.status, body: parsed };
      } catch {
        // The server died under this call: not acknowledged, so nothing is owed.
        await sleep(50);
        return undefined;
      }
    }

    async function agentLoop(i: number): Promise<void> {
      const key = agents[i] ?? '';
      let n = 0;
      while (running) {
        n += 1;
        await sleep(PACE_MS * random());
        const r = random();
        if (r < 0.3) {
          const got = await call<ActionRequest>('POST', '/v1/actions', key, {
            action: 'db.getRow',
            resource: `rows/${i}-${n}`,
          });
          if (got?.status !== 201) continue;
          acks.submits.set(got.body.id, { agent: i });
          await redeem(key, got.body);
        } else if (r < 0.8) {
          // A careful client: one Idempotency-Key per intent, retried until it gets an answer.
          const intent = `intent-${i}-${n}`;
          for (let attempt = 0; attempt < 20 && running; attempt++) {
            const got = await call<ActionRequest>(
              'POST',
              '/v1/actions',
              key,
              { action: `deploy.svc${n % 7}`, params: { n }, callbackUrl: hooks.url },
              { 'idempotency-key': intent },
            );
            if (!got) continue;
            if (got.status === 201 || got.status === 200) {
              acks.submits.set(got.body.id, { agent: i });
              pending.push(got.body.id);
              own[i]?.push(got.body.id);
            }
            break;
          }
        } else if (r < 0.9) {
          const id = own[i]?.[Math.floor(random() * (own[i]?.length ?? 0))];
          if (!id) continue;
          const got = await call('POST', `/v1/actions/${id}/cancel`, key);
          if (got?.status === 200) acks.cancels.push(id);
        } else {
          const id = own[i]?.[Math.floor(random() * (own[i]?.length ?? 0))];
          if (!id) continue;
          const got = await call<ActionRequest>('GET', `/v1/actions/${id}`, key);
          if (got?.status === 200 && got.body.grant) await redeem(key, got.body);
        }
      }
    }

    async function redeem(key: string, request: ActionRequest): Promise<void> {
      const got = await call('POST', '/v1/grants/redeem', key, {
        token: request.grant?.token,
        digest: request.digest,
      });
      if (got?.status === 200) acks.redeems.set(request.id, (acks.redeems.get(request.id) ?? 0) + 1);
    }

    async function apiReviewerLoop(who: { key: string; email: string }): Promise<void> {
      while (running) {
        const id = pending[Math.floor(random() * pending.length)];
        if (!id) {
          await sleep(50);
          continue;
        }
        const decision = random() < 0.75 ? 'approve' : 'deny';
        const got = await call<ActionRequest>('POST', `/v1/actions/${id}/reviews`, who.key, {
          decision,
          ...(decision === 'deny' && { comment: 'not during the freeze' }),
        });
        if (got?.status === 200)
          acks.reviews.push({ id, email: who.email, decision, status: got.body.status });
        if (got && got.status !== 200) pending.splice(pending.indexOf(id), 1);
      }
    }

    async function slackReviewerLoop(who: Who): Promise<void> {
      while (running) {
        // Only a request Slack has been shown can be clicked: pick among those.
        const shown = pending.filter((p) => postsOf(slack, p).length > 0);
        const id = shown[Math.floor(random() * shown.length)];
        const post = id ? postsOf(slack, id)[0] : undefined;
        if (!id || !post) {
          await sleep(50);
          continue;
        }
        const click = buttonClick(slack, who, 'countersign.approve', id, {
          channel: String(post.response.channel),
          ts: String(post.response.ts),
        });
        const timestamp = Math.floor(Date.now() / 1000);
        try {
          const res = await fetch(`${node.url}/slack/events`, {
            method: 'POST',
            headers: {
              'content-type': click.contentType,
              'x-slack-request-timestamp': String(timestamp),
              'x-slack-signature': signSlackRequest(SIGNING_SECRET, click.body, timestamp),
            },
            body: click.body,
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status >= 500) acks.failures += 1;
          if (res.ok) acks.slackClicks += 1;
        } catch {
          await sleep(50);
        }
        await sleep(20);
      }
    }

    const clients = [
      ...agents.map((_, i) => agentLoop(i)),
      ...apiReviewers.flatMap((who) => [apiReviewerLoop(who), apiReviewerLoop(who)]),
      ...(['carol', 'dan'] as const).flatMap((who) => [slackReviewerLoop(who), slackReviewerLoop(who)]),
    ];

    for (let k = 0; k < KILLS; k++) {
      await sleep(400 + random() * 1_200);
      kills.push(Date.now());
      await node.kill9();
      node = await startNode(env);
    }
    await sleep(1_000);
    running = false;
    await Promise.all(clients);
    const loadMs = Date.now() - started;

    // The outbox owes nothing once every delivery is marked: then count what arrived. The backlog the
    // kills left is worked off at whatever pace this machine allows (a shared 2-core VM may manage only
    // a few Slack deliveries a second): wait while it keeps shrinking, fail when it stops.
    const owedNow = async () =>
      Number((await db.execute('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL')).rows[0]?.n);
    let owed = await owedNow();
    let progressAt = Date.now();
    const drainStarted = Date.now();
    const drained = await eventually(async () => {
      const now = await owedNow();
      if (now < owed) progressAt = Date.now();
      owed = now;
      // The last restart's bot may still be starting (≈25 s on a loaded machine) before any progress.
      if (now > 0 && Date.now() - progressAt > 60_000)
        throw new Error(`the outbox stopped draining at ${now} owed`);
      return now === 0;
    }, 300_000).catch(() => false);
    console.info(`[crash] outbox drained in ${Date.now() - drainStarted} ms`);
    if (!drained) {
      const left = await db.execute(
        'SELECT sink, event, attempts, last_error, lease_until FROM outbox WHERE delivered_at IS NULL LIMIT 20',
      );
      console.info(`[crash] still owed:\n  ${left.rows.map((r) => JSON.stringify(r)).join('\n  ')}`);
    }
    expect(drained, 'the outbox drained after the last restart').toBe(true);

    // 1. Every acknowledged change is in the database.
    const rows = await db.execute('SELECT id, status FROM actions');
    const status = new Map(rows.rows.map((r) => [String(r.id), String(r.status)]));
    const lostSubmits = [...acks.submits.keys()].filter((id) => !status.has(id));
    expect(lostSubmits, 'acknowledged submissions missing').toEqual([]);
    const reviewRows = await db.execute('SELECT action_id, reviewer, decision FROM reviews');
    const reviewed = new Set(reviewRows.rows.map((r) => `${r.action_id} ${r.reviewer} ${r.decision}`));
    const lostReviews = acks.reviews.filter((a) => !reviewed.has(`${a.id} user:${a.email} ${a.decision}`));
    expect(lostReviews, 'acknowledged reviews missing').toEqual([]);
    for (const a of acks.reviews.filter((x) => SETTLED.has(x.status)))
      expect(status.get(a.id), a.id).toBe(a.status);
    for (const id of acks.cancels) expect(status.get(id), id).toBe('cancelled');
    const grantRows = await db.execute('SELECT action_id, redeemed_at FROM grants');
    const redeemedAt = new Map(grantRows.rows.map((r) => [String(r.action_id), r.redeemed_at]));
    for (const id of acks.redeems.keys())
      expect(redeemedAt.get(id), `grant of ${id} redeemed`).not.toBeNull();

    // 2. No grant redeemed twice; no request decided twice.
    expect(
      [...acks.redeems].filter(([, n]) => n > 1),
      'grants answered 200 more than once',
    ).toEqual([]);
    const events = await db.execute('SELECT subject, type FROM audit_events WHERE subject IS NOT NULL');
    const bySubject = new Map<string, string[]>();
    for (const e of events.rows)
      bySubject.set(String(e.subject), [...(bySubject.get(String(e.subject)) ?? []), String(e.type)]);
    const twiceRedeemed = [...bySubject].filter(
      ([, types]) => types.filter((t) => t === 'grant.redeemed').length > 1,
    );
    expect(twiceRedeemed).toEqual([]);
    for (const [id, s] of status) {
      const decisions = (bySubject.get(id) ?? []).filter((t) => DECISIONS.includes(t));
      expect(decisions, `${id} (${s})`).toEqual(SETTLED.has(s) ? [`action.${s}`] : []);
    }

    // 3. Every owed Slack message posted, its effect once: no copy keeps live buttons after the decision.
    const held = [...status].filter(([, s]) => s !== 'allowed');
    const killBetween = (first: number, again: number) =>
      kills.some((k) => k >= first - 50 && k <= again + 50);
    const unposted: string[] = [];
    const slackDuplicates: string[] = [];
    const liveButtons: string[] = [];
    for (const [id, s] of held) {
      const posts = postsOf(slack, id);
      if (posts.length === 0) unposted.push(id);
      const first = posts[0]?.at.getTime() ?? 0;
      for (const again of posts.slice(1))
        slackDuplicates.push(
          `${id}: posted ${posts.length}×, ${killBetween(first, again.at.getTime()) ? 'a kill between' : 'NO kill between'}`,
        );
      if (!SETTLED.has(s)) continue;
      for (const post of posts) {
        const message = slack.message(String(post.response.channel), String(post.response.ts));
        // A copy the deliverer found and deleted is no longer shown to anyone.
        if (!message?.deleted && hasButtons(message?.blocks))
          liveButtons.push(`${id} (${s}, posted ${posts.length}×): live buttons on ts ${post.response.ts}`);
      }
    }

    // 4. Every owed webhook delivered, one delivery (one effect) per settled request.
    const undelivered: string[] = [];
    const webhookDuplicates: string[] = [];
    for (const [id, s] of [...status].filter(([, x]) => SETTLED.has(x))) {
      const got = hooks.received.filter((d) => d.actionId === id);
      if (!got.some((d) => d.status === s)) undelivered.push(`${id} (${s})`);
      const ids = new Set(got.map((d) => d.deliveryId)).size;
      for (const again of got.slice(1))
        webhookDuplicates.push(
          `${id}: ${got.length} arrivals, ${ids} delivery id(s), ${killBetween(got[0]?.at ?? 0, again.at) ? 'a kill between' : 'NO kill between'}`,
        );
    }

    // 5. The chain verifies, and reaches the newest signed checkpoint.
    const chain = await verifyChain(node.url, auditor);

    const settled = held.filter(([, s]) => SETTLED.has(s)).length;
    console.info(
      `[crash] seed ${SEED}: ${kills.length} kills in ${loadMs} ms, drained in ${Date.now() - started - loadMs} ms; acknowledged ${acks.submits.size} submits, ${acks.reviews.length} API reviews, ${acks.cancels.length} cancels, ${acks.redeems.size} redeems; ${acks.slackClicks} Slack clicks; ${held.length} held (${settled} settled); Slack: ${unposted.length} unposted, ${slackDuplicates.length} duplicate posts, ${liveButtons.length} decided with live buttons; webhooks: ${hooks.received.length} arrivals, ${undelivered.length} undelivered, ${webhookDuplicates.length} duplicates; chain ${chain.plain.ok ? 'ok' : 'BAD'}, against checkpoint seq ${chain.checkpointSeq} ${chain.against?.ok ? 'ok' : 'BAD'}`,
    );
    if (slackDuplicates.length + webhookDuplicates.length > 0)
      console.info(`[crash] duplicates:\n  ${[...slackDuplicates, ...webhookDuplicates].join('\n  ')}`);

    expect.soft(unposted, 'held requests never posted to Slack').toEqual([]);
    expect.soft(liveButtons, 'decided requests whose Slack message still has buttons').toEqual([]);
    expect
      .soft(
        slackDuplicates.filter((d) => d.includes('NO kill')),
        'Slack posted twice with no crash between',
      )
      .toEqual([]);
    expect.soft(undelivered, 'settled requests whose webhook never arrived').toEqual([]);
    // A receiver drops repeats by X-Countersign-Delivery, so one id per request means one effect.
    expect
      .soft(
        webhookDuplicates.filter((d) => !d.includes(' 1 delivery id')),
        'webhooks with two delivery ids',
      )
      .toEqual([]);
    expect
      .soft(
        webhookDuplicates.filter((d) => d.includes('NO kill')),
        'webhook repeated with no crash between',
      )
      .toEqual([]);
    expect.soft(chain.plain.ok, chain.shown).toBe(true);
    expect.soft(chain.checkpointSeq, 'a signed checkpoint exists').toBeDefined();
    expect.soft(chain.against?.ok, chain.shown).toBe(true);
    expect.soft(acks.failures, 'answers of 5xx during the load').toBe(0);
    // A floor that shows the load ran between kills, low enough for a busy CI machine.
    expect(acks.submits.size).toBeGreaterThan(KILLS);
    expect(acks.reviews.length).toBeGreaterThan(0);
  }, 600_000);
});
