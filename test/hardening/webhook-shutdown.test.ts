import { rm } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { review, startTestServer, submit, type TestServer } from '../../server/test/harness';
import { capturedLog, LEVEL } from './captured-log';

/**
 * A webhook receiver that holds every POST until the test says how to answer: the delivery is in flight
 * for as long as the test likes.
 */
async function slowReceiver() {
  const held: ServerResponse[] = [];
  let arrived: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  let posts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts += 1;
      held.push(res);
      arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    first,
    posts: () => posts,
    answer: (status: number) => {
      for (const res of held.splice(0)) res.writeHead(status).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ENV = { COUNTERSIGN_WEBHOOK_HOSTS: '127.0.0.1:*' };

async function settleWithCallback(t: TestServer, callbackUrl: string): Promise<string> {
  const agent = await t.agentKey('deployer', 'erin@example.com');
  const alice = await t.userKey('alice@example.com', ['reviews:write']);
  const held = await submit(t, agent, { action: 'deploy.web', callbackUrl });
  expect((await review(t, alice, held.id, 'deny', 'not today')).status).toBe(200);
  return held.id;
}

async function webhookRows(dbFile: string) {
  const db = createClient({ url: `file:${dbFile}` });
  try {
    const rows = await db.execute(
      "SELECT event, delivered_at, attempts, last_error, lease_owner FROM outbox WHERE sink = 'webhook'",
    );
    return rows.rows.map((r) => ({
      event: r.event,
      delivered: r.delivered_at !== null,
      attempts: Number(r.attempts),
      lastError: r.last_error,
      leased: r.lease_owner !== null,
    }));
  } finally {
    db.close();
  }
}

describe('server shutdown with a webhook POST in flight', () => {
  it('waits for a receiver that answers within the grace: the delivery is recorded before the database closes', async () => {
    const hook = await slowReceiver();
    const { log, lines } = capturedLog();
    const t = await startTestServer({ env: ENV, log });
    try {
      await settleWithCallback(t, hook.url);
      await hook.first; // the deliverer is waiting on the receiver
      const stopping = t.stop({ keepDir: true });
      await new Promise((resolve) => setTimeout(resolve, 150));
      hook.answer(204);
      await stopping;
      const closedAt = lines.length;
      await new Promise((resolve) => setTimeout(resolve, 300)); // anything still running would log now

      // Before: the 204 came back after the close, could not be recorded, and the row stayed due
      // (a second POST on the next start), with "webhook delivery pass failed" logged.
      expect(await webhookRows(t.dbFile)).toEqual([
        { event: 'action.denied', delivered: true, attempts: 0, lastError: null, leased: false },
      ]);
      expect(lines.filter((l) => l.level >= LEVEL.error).map((l) => l.msg)).toEqual([]);
      expect(lines.slice(closedAt)).toEqual([]);
      expect(hook.posts()).toBe(1);
    } finally {
      await hook.close();
      await rm(t.dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('cuts off a receiver still silent after the grace: a failed attempt is recorded and retried after the restart', async () => {
    const hook = await slowReceiver();
    const { log, lines } = capturedLog();
    const t = await startTestServer({ env: ENV, log });
    let again: TestServer | undefined;
    try {
      await settleWithCallback(t, hook.url);
      await hook.first;
      const started = Date.now();
      await t.stop({ keepDir: true }); // the receiver never answers
      const took = Date.now() - started;
      expect(took).toBeLessThan(9_000); // the 5 s grace, not the 10 s request timeout or forever
      expect(await webhookRows(t.dbFile)).toEqual([
        {
          event: 'action.denied',
          delivered: false,
          attempts: 1,
          lastError: 'the server stopped before the receiver answered',
          leased: false,
        },
      ]);
      expect(lines.filter((l) => l.level >= LEVEL.error).map((l) => l.msg)).toEqual([]);

      // Not lost: the next start posts it again, and this time the receiver answers.
      hook.answer(503); // let go of the first connection
      again = await startTestServer({ env: ENV, dir: t.dir });
      const deadline = Date.now() + 10_000;
      while (hook.posts() < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hook.posts()).toBe(2);
      hook.answer(204);
      let rows = await webhookRows(t.dbFile);
      while (!rows[0]?.delivered && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        rows = await webhookRows(t.dbFile);
      }
      expect(rows).toMatchObject([{ event: 'action.denied', delivered: true, attempts: 1 }]);
    } finally {
      await again?.stop({ keepDir: true });
      await hook.close();
      await rm(t.dir, { recursive: true, force: true });
    }
  }, 40_000);
});
