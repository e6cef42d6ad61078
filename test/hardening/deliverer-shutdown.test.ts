import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KickLoop } from '@countersign/shared';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/harness';
import { activity, CHANNEL, PEOPLE, TEAM, TEAMS_POLICY, until } from '../teams/teams-harness';
import { startTeamsEmulator } from '../teams-emulator';

/**
 * Shutdown closes the database right after it stops the outbox deliverers. A pass still in flight (a slow
 * Teams post, then `delivered()`) used to write after the close and log "delivery pass failed". Stopping
 * must wait for that pass, and start no other.
 */
describe('outbox deliverer shutdown', () => {
  it('stop() resolves only after the pass in flight has finished, and no pass runs after it', async () => {
    const steps: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let passes = 0;
    const errors: unknown[] = [];
    const loop = new KickLoop({
      pass: async () => {
        passes += 1;
        steps.push('pass started');
        await gate; // the chat answering slowly
        steps.push('pass finished'); // here it would record the delivery in the database
      },
      nextDueAt: async () => Date.now() + 5, // more work due soon: a pass would follow if allowed
      onError: (error) => errors.push(error),
    });
    loop.kick();
    expect(steps).toEqual(['pass started']);
    loop.kick(); // a change during the pass asks for another
    const stopped = loop.stop().then(() => steps.push('stopped'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(steps).toEqual(['pass started']); // still waiting for the chat: not stopped yet
    release();
    await stopped;
    expect(steps).toEqual(['pass started', 'pass finished', 'stopped']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(passes).toBe(1);
    expect(errors).toEqual([]);
  });

  it('stop() on an idle loop resolves at once, and a kick after it does nothing', async () => {
    let passes = 0;
    const loop = new KickLoop({
      pass: async () => {
        passes += 1;
      },
      nextDueAt: async () => undefined,
      onError: () => {},
    });
    await loop.stop();
    loop.kick();
    loop.nudge(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passes).toBe(0);
  });
});

/**
 * Teams' Connector, slowed: a real HTTP hop in front of the emulator that holds the channel-list call
 * (the first thing a card post does) until released, so a delivery is in flight when shutdown begins.
 */
async function slowConnector(target: string) {
  let held: (() => void) | undefined;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (/^\/v3\/teams\/[^/]+\/conversations/.test(req.url ?? '')) {
      held?.();
      await gate;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        (e): e is [string, string] =>
          typeof e[1] === 'string' &&
          !['host', 'content-length', 'connection', 'transfer-encoding'].includes(e[0]),
      ),
    );
    const answer = await fetch(new URL(req.url ?? '/', target), {
      method: req.method,
      headers,
      ...(body && { body }),
    });
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    res.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const inFlight = new Promise<void>((resolve) => {
    held = resolve;
  });
  return { url, inFlight, release, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('server shutdown with a Teams delivery in flight', () => {
  it('waits for it: the card it posted is recorded as delivered before the database closes', async () => {
    const ms = await startTeamsEmulator();
    ms.addTeam({
      ...TEAM,
      channels: [
        { id: TEAM.id, name: null },
        { id: CHANNEL, name: 'Approvals' },
      ],
    });
    for (const p of Object.values(PEOPLE)) ms.addUser({ aadObjectId: p.aadObjectId, mail: p.mail });
    const slow = await slowConnector(ms.serviceUrl);
    const t = await startTestServer({
      policy: TEAMS_POLICY,
      env: {
        TEAMS_APP_ID: ms.appId,
        TEAMS_APP_PASSWORD: ms.appPassword,
        TEAMS_TENANT_ID: ms.tenantId,
        TEAMS_LOGIN_URL: ms.url,
        TEAMS_GRAPH_URL: `${ms.url}/graph/v1.0/`,
      },
    });
    let stopping: Promise<void> | undefined;
    try {
      // Installed in the team with the slowed Connector as its service URL (what Teams would send).
      const s = { t, ms, restart: async () => {} };
      const installed = await activity(
        s,
        { type: 'conversationUpdate', channelData: { team: TEAM }, serviceUrl: slow.url },
        TEAM.id,
        { token: ms.token({ serviceUrl: slow.url }) },
      );
      expect(installed.status).toBe(200);
      const key = await t.agentKey('deployer', 'olga@example.com');
      const submitted = await t.call<{ id: string }>('POST', '/v1/actions', {
        key,
        body: { action: 'deploy.web', resource: 'web', environment: 'prod' },
      });
      expect(submitted.status).toBe(201);

      await slow.inFlight; // the deliverer is waiting on Teams
      stopping = t.stop({ keepDir: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
      slow.release();
      await stopping;

      const card = await until(() =>
        ms.posts.find(
          (p) => p.conversationId === CHANNEL && JSON.stringify(p.activity).includes(submitted.body.id),
        ),
      );
      expect(card).toBeDefined();
      const db = createClient({ url: `file:${t.dbFile}` });
      const rows = await db.execute(
        "SELECT event, delivered_at, attempts FROM outbox WHERE sink = 'teams' AND event = 'action.submitted'",
      );
      db.close();
      // Before: the pass ran on after close, could not record the post (a duplicate card on the next start).
      expect(rows.rows.map((r) => [r.event, r.delivered_at !== null, Number(r.attempts)])).toEqual([
        ['action.submitted', true, 0],
      ]);
    } finally {
      slow.release();
      await slow.close();
      await ms.stop();
      await (stopping ?? t.stop({ keepDir: true })).catch(() => {});
      await rm(t.dir, { recursive: true, force: true });
    }
  }, 30_000);
});
