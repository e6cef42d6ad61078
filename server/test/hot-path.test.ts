import { describe, expect, it } from 'vitest';
import type { Tx } from '../src/db/client';
import { KEY_BY_ID } from '../src/db/local';
import { keyLookupQuery } from '../src/services/keys/authenticate';
import { keyIdOf, review, reviewPolicy, serverForTest, submit } from './harness';

const POLICY = `version: 1
groups: { reviewers: [bob@example.com] }
rules:
  - { name: reads, match: { action: "**.get" }, effect: allow }
  - { name: writes, match: { action: "**" }, effect: review, approvers: [reviewers] }
`;

// What the request path tells the rest of the process, so that nothing re-reads to find out: the
// waiters of a request and the outbox deliverers (issue 11).
describe.concurrent('the request path’s signals', () => {
  it('says a review that decided the request settled it, and one that did not, not', async (test) => {
    const t = await serverForTest(test, {
      policy: reviewPolicy(['bob@example.com', 'carol@example.com'], { minApprovals: 2 }),
    });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const [bob, carol] = await Promise.all(
      ['bob@example.com', 'carol@example.com'].map((email) => t.userKey(email, ['reviews:write'])),
    );
    const req = await submit(t, agent, { action: 'deploy.run' });
    const heard: boolean[] = [];
    const off = t.server.core.events.on(req.id, (_, settled) => heard.push(settled));
    test.onTestFinished(off);
    expect((await review(t, bob ?? '', req.id, 'approve')).body.status).toBe('pending');
    expect((await review(t, carol ?? '', req.id, 'approve')).body.status).toBe('approved');
    // The waiter answers on `settled` at once; on a bare change it reads the request to find out.
    expect(heard).toEqual([false, true]);
  });

  it('tells the webhook deliverer of its rows once committed, and wakes it for nothing else', async (test) => {
    // The receiver is never reached in this test: the row is what it checks, not the delivery.
    const t = await serverForTest(test, {
      policy: POLICY,
      env: {
        COUNTERSIGN_WEBHOOK_HOSTS: '127.0.0.1:*',
        COUNTERSIGN_SWEEP_INTERVAL_MS: '3600000', // the sweeper's job would be counted too
      },
    });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const bob = await t.userKey('bob@example.com', ['reviews:write']);
    const { core } = t.server;
    await submit(t, agent, { action: 'db.get' }); // the key's first use writes its last-used time
    // At each signal, what another connection sees in the outbox: only committed rows.
    const raw = t.rawDb();
    const signals: Promise<unknown>[] = [];
    test.onTestFinished(
      core.events.onOutbox('webhook', () => {
        signals.push(
          raw.execute("SELECT count(*) AS n FROM outbox WHERE sink = 'webhook'").then((r) => r.rows[0]?.n),
        );
      }),
    );
    // Every write job this process runs, counted as it is queued (the real queue still runs it).
    const run = core.writes.run.bind(core.writes);
    let jobs = 0;
    core.writes.run = <T>(fn: (tx: Tx) => Promise<T>) => {
      jobs += 1;
      return run(fn);
    };
    test.onTestFinished(() => {
      core.writes.run = run;
    });

    for (let i = 0; i < 10; i++) await submit(t, agent, { action: 'db.get', params: { i } });
    await new Promise((resolve) => setTimeout(resolve, 100)); // past the deliverer's 20 ms coalescing
    // One job a request: no outbox row was written, so no claim pass ran.
    expect(jobs).toBe(10);
    expect(signals).toHaveLength(0);

    const held = await submit(t, agent, { action: 'db.drop', callbackUrl: 'http://127.0.0.1:9/hook' });
    expect((await review(t, bob, held.id, 'approve')).body.status).toBe('approved');
    expect(await Promise.all(signals)).toEqual([1]);
  });
});

describe('the key lookup every API call makes', () => {
  it('finds the key and its agent by their primary keys, however many agents there are', async (test) => {
    const t = await serverForTest(test, { policy: POLICY });
    await Promise.all(Array.from({ length: 200 }, (_, i) => t.agentKey(`bot-${i}`, 'alice@example.com')));
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const raw = t.rawDb();
    await raw.execute('ANALYZE');
    const keyId = keyIdOf(agent);
    const drizzlePath = keyLookupQuery(t.server.core.database.db).toSQL();
    for (const [sql, args] of [
      [KEY_BY_ID, [keyId]],
      [drizzlePath.sql, drizzlePath.params.map(() => keyId)],
    ] as const) {
      const plan = (await raw.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: [...args] })).rows.map(
        (row) => String(row.detail),
      );
      // A SCAN would read every agent (or key, or person) on each request.
      expect(plan.filter((step) => step.startsWith('SCAN'))).toEqual([]);
      expect(plan.some((step) => /SEARCH (a|agents) USING INDEX sqlite_autoindex_agents_1/.test(step))).toBe(
        true,
      );
    }
    // And it still answers: the agent's key is its agent's, with the owner found.
    expect((await submit(t, agent, { action: 'db.get' })).status).toBe('allowed');
  });
});
