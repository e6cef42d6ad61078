import { expect, it } from 'vitest';
import type { Tx } from '../../server/src/db/client';
import { submit } from '../../server/test/harness';
import { useSlackTest } from './slack-harness';

// The sweeper's periodic job would be counted too.
const s = useSlackTest({ env: { COUNTERSIGN_SWEEP_INTERVAL_MS: '3600000' } });

it('wakes the Slack drain for its own outbox rows, not for every allowed request (issue 11)', async () => {
  const agent = await s.t.agentKey('ops-bot', 'erin@example.com');
  await submit(s.t, agent, { action: 'db.get' }); // the key's first use writes its last-used time
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Every write job the server runs, counted as it is queued (the real queue still runs it).
  const { core } = s.t.server;
  const run = core.writes.run.bind(core.writes);
  let jobs = 0;
  core.writes.run = <T>(fn: (tx: Tx) => Promise<T>) => {
    jobs += 1;
    return run(fn);
  };
  try {
    for (let i = 0; i < 10; i++) await submit(s.t, agent, { action: 'db.get', params: { i } });
    await new Promise((resolve) => setTimeout(resolve, 100)); // past the drain's 20 ms coalescing
    // One job a request: an allow writes no Slack row, so the drain claimed nothing.
    expect(jobs).toBe(10);
    // A held request writes one, and the drain wakes for it and posts.
    await submit(s.t, agent, { action: 'terraform.apply', environment: 'prod' });
    await s.slack.waitFor('chat.postMessage');
    expect(jobs).toBeGreaterThan(11);
  } finally {
    core.writes.run = run;
  }
});
