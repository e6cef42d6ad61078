import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from '../slack-emulator';
import { api, lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

type Ready = { ok: boolean; policyVersion: string; transports: { slack: string; teams: string } };

let dir: { dir: string; remove(): Promise<void> };
let slack: SlackEmulator;
let server: ServeProcess | undefined;
beforeEach(async () => {
  dir = await tempDir();
  slack = await startSlackEmulator();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await slack.stop();
  await dir.remove();
});

const baseEnv = (slackEnv: Record<string, string>) => ({
  COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db`,
  SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789',
  SLACK_APPROVALS_CHANNEL: '#ops-approvals',
  ...slackEnv,
});

/** A port nothing listens on: connections to it are refused, as to a Slack that is down. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const address = probe.address();
  await new Promise<void>((r) => probe.close(() => r()));
  return typeof address === 'object' && address ? address.port : 1;
}

const readyz = async (url: string): Promise<{ status: number; body: Ready }> => {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Ready };
};

/** The API works: a key is made, a request submitted and answered. */
async function apiServes(url: string, env: Record<string, string>): Promise<void> {
  const agent = lastLine(
    (await runCli(['keys', 'create', '--agent', 'ops-bot', '--owner', 'erin@example.com'], env)).stdout,
  );
  const submitted = await api<{ id: string; status: string }>(url, 'POST', '/v1/actions', agent, {
    action: 'terraform.apply',
    environment: 'prod',
  });
  expect(submitted.status).toBe(201);
  expect(submitted.body.status).toBe('pending');
}

const linesMatching = (text: string, pattern: RegExp) => text.split('\n').filter((l) => pattern.test(l));

// Real processes on a shared machine: each CLI call alone can take seconds.
describe('Slack being down does not take the API down', { timeout: 90_000 }, () => {
  it('with Slack unreachable, serve listens, serves the API, reports slack "connecting", and logs the retry once', async () => {
    const env = baseEnv({
      SLACK_BOT_TOKEN: slack.options.botToken,
      SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/`,
    });
    server = await startServe(env);
    const ready = await readyz(server.url);
    expect(ready.status).toBe(200);
    expect(ready.body.transports).toEqual({ slack: 'connecting', teams: 'off' });
    await apiServes(server.url, env);
    await new Promise((r) => setTimeout(r, 3_500)); // at least two retries (1 s, 2 s)
    expect(linesMatching(server.stderr(), /retries auth\.test with backoff/)).toHaveLength(1);
    expect(server.stderr()).not.toMatch(/^\s+at /m); // no stack trace
  });

  it.each(['invalid_auth', 'account_inactive'])(
    'with auth.test answering %s, says so in one line naming SLACK_BOT_TOKEN, stays off without retrying',
    async (error) => {
      slack.failNext('auth.test', { error });
      const env = baseEnv({ SLACK_BOT_TOKEN: slack.options.botToken, SLACK_API_URL: slack.apiUrl });
      server = await startServe(env);
      expect((await readyz(server.url)).body.transports).toEqual({ slack: 'refused', teams: 'off' });
      await apiServes(server.url, env);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(slack.callsTo('auth.test')).toHaveLength(1);
      const lines = linesMatching(server.stderr(), /Slack refused/);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`SLACK_BOT_TOKEN.*${error}`));
      // /slack/events does not run Bolt for a refused bot: Slack is told to try later.
      expect((await fetch(`${server.url}/slack/events`, { method: 'POST', body: '' })).status).not.toBe(500);
    },
  );

  it('when Slack comes back, the bot connects and posts what was submitted meanwhile', async () => {
    slack.failNext('auth.test', { status: 503 }, 2);
    const env = baseEnv({ SLACK_BOT_TOKEN: slack.options.botToken, SLACK_API_URL: slack.apiUrl });
    server = await startServe(env);
    expect((await readyz(server.url)).body.transports).toEqual({ slack: 'connecting', teams: 'off' });
    await apiServes(server.url, env);
    const url = server.url;
    await expect
      .poll(async () => (await readyz(url)).body.transports.slack, { timeout: 10_000, interval: 200 })
      .toBe('ready');
    await slack.waitFor('chat.postMessage', undefined, 10_000);
    expect(linesMatching(server.stderr(), /"Slack bot on"/)).toHaveLength(1);
  });
});
