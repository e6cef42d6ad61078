import { startTestServer, type TestServer } from '../../server/test/harness';
import { PEOPLE, SIGNING_SECRET, SLACK_POLICY } from '../slack/slack-harness';
import { type SlackEmulator, startSlackEmulator } from '../slack-emulator';
import { type Sqld, startSqld } from './sqld';

/** Sizes: small enough for CI by default, larger by env var (MULTINODE_REQUESTS, MULTINODE_WAITERS). */
export const size = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

export const SHARED_SECRET = 'one-secret-for-every-node-0123456789';

export type Cluster = {
  sqld: Sqld;
  nodes: TestServer[];
  slack: SlackEmulator | undefined;
  env: Record<string, string>;
  stop(): Promise<void>;
};

/**
 * N real Countersign servers (in this process, each with its own HTTP listener, write queue, change
 * feed and deliverers) over one real sqld — optionally with the Slack bot on, against one emulator.
 */
export async function startCluster(
  dir: string,
  options: { nodes: number; slack?: boolean; env?: Record<string, string>; policy?: string },
): Promise<Cluster> {
  const sqld = await startSqld(dir);
  const slack = options.slack ? await startSlackEmulator() : undefined;
  if (slack)
    for (const person of Object.values(PEOPLE))
      slack.addUser({ id: person.id, email: person.email, name: person.email.split('@')[0] });
  const env: Record<string, string> = {
    COUNTERSIGN_DB_URL: sqld.url,
    COUNTERSIGN_SECRET: SHARED_SECRET,
    COUNTERSIGN_WEBHOOK_HOSTS: '127.0.0.1:*',
    ...(slack && {
      SLACK_BOT_TOKEN: slack.options.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_APPROVALS_CHANNEL: '#ops-approvals',
    }),
    ...options.env,
  };
  const policy = options.policy ?? SLACK_POLICY;
  const nodes: TestServer[] = [];
  // One at a time: the first applies the migrations the others then find applied.
  for (let i = 0; i < options.nodes; i++) nodes.push(await startTestServer({ policy, env }));
  return {
    sqld,
    nodes,
    slack,
    env,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
      await slack?.stop();
      await sqld.stop();
    },
  };
}

/** The p-th percentile (0–100) of some numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
