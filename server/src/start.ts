import { createSlackBot, createTeamsBot, SLACK_EVENTS, TEAMS_EVENTS } from '@countersign/bot';
import { parsePolicy } from '@countersign/shared/policy';
import { type ServerType, serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { openDatabase } from './db/client';
import { makeDatabaseFilesPrivate, makeDataFolderPrivate } from './db/private-files';
import type { Env } from './env';
import { createApp } from './http/app';
import { metricsOnly } from './http/routes/metrics';
import { createMetrics } from './metrics/metrics';
import { filePathOf, resolveSecret } from './secret';
import { startSweeper } from './services/actions/expire-actions';
import { startAuditLog } from './services/audit/checkpoint-audit';
import { startCheckpointer } from './services/audit/checkpointer';
import { ChangeFeed } from './services/change-feed';
import { type Core, createCore } from './services/core';
import { loadConsolePack } from './services/extension/load-console-pack';
import { refreshIdpDirectory, startIdpRefresh } from './services/identity/idp-directory';
import { releaseAllLeases } from './services/outbox/deliveries';
import type { OutboxSink } from './services/outbox/record';
import { describeProblems, PolicyStore, readPolicyFile } from './services/policy/policy-store';
import { recordPolicy } from './services/policy/reload-policy';
import { approvalsPort, SLACK_SINK } from './slack/approvals-port';
import { slackConfigOf } from './slack/slack-config';
import { StartupError } from './startup-error';
import { TEAMS_SINK, teamsPort } from './teams/approvals-port';
import { teamsConfigOf } from './teams/teams-config';
import { consoleOptionsOf } from './web/console-options';
import { parseHostList } from './webhooks/callback-hosts';
import { WEBHOOK_EVENTS, WEBHOOK_SINK, WebhookDeliverer } from './webhooks/webhook-deliverer';

export { StartupError };

/** How long a stopping server lets requests in flight finish before cutting their connections. */
const SHUTDOWN_GRACE_MS = 5_000;

/** For CLI commands that never evaluate policy (keys, audit): a policy that decides nothing. */
const INERT_POLICY = 'version: 1\nrules: []\n';

/** Opens the database and loads the policy: everything the service verbs need, with no transport. */
export async function openCore(
  env: Env,
  log: Logger,
  options: { policy: 'required' | 'inert'; sinks?: OutboxSink[] },
): Promise<Core> {
  if (env.COUNTERSIGN_DB_URL.startsWith('file:')) {
    await makeDataFolderPrivate(filePathOf(env.COUNTERSIGN_DB_URL));
  }
  const secret = await resolveSecret(env.COUNTERSIGN_SECRET, env.COUNTERSIGN_DB_URL).catch((error: Error) => {
    throw new StartupError(error.message);
  });
  let policy: PolicyStore;
  if (options.policy === 'required') {
    const read = await readPolicyFile(env.COUNTERSIGN_POLICY, Date.now());
    if (!read.ok) {
      throw new StartupError(
        `COUNTERSIGN_POLICY: ${env.COUNTERSIGN_POLICY} is not a valid policy\n${describeProblems(read.problems)}`,
      );
    }
    policy = new PolicyStore(read.loaded);
  } else {
    const parsed = parsePolicy(INERT_POLICY, '(inert)');
    if (!parsed.ok) throw new StartupError('internal: the inert policy does not parse');
    const loaded = {
      policy: parsed.policy,
      version: parsed.version,
      file: '(inert)',
      text: INERT_POLICY,
      loadedAt: Date.now(),
    };
    policy = new PolicyStore(loaded);
  }
  const database = await openDatabase(env.COUNTERSIGN_DB_URL, env.COUNTERSIGN_DB_AUTH_TOKEN).catch(
    (error: Error) => {
      throw new StartupError(`COUNTERSIGN_DB_URL: cannot open ${env.COUNTERSIGN_DB_URL}: ${error.message}`);
    },
  );
  if (env.COUNTERSIGN_DB_URL.startsWith('file:')) {
    await makeDatabaseFilesPrivate(filePathOf(env.COUNTERSIGN_DB_URL)).catch((error: Error) => {
      database.close();
      throw new StartupError(`COUNTERSIGN_DB_URL: cannot make the database private: ${error.message}`);
    });
  }
  const callbackHosts = parseHostList(env.COUNTERSIGN_WEBHOOK_HOSTS);
  const consolePack = await loadConsolePack(env.COUNTERSIGN_CONSOLE_PACK).catch((error: Error) => {
    database.close();
    throw new StartupError(error.message);
  });
  const core = createCore({
    database,
    policy,
    secret,
    log,
    sinks: options.sinks ?? [],
    callbackHosts,
    consolePack,
    outboxLeaseMs: env.COUNTERSIGN_OUTBOX_LEASE_MS,
    stepUp: {
      publicUrl: env.COUNTERSIGN_PUBLIC_URL,
      mfaAcr: env.COUNTERSIGN_OIDC_MFA_ACR,
      ...(env.COUNTERSIGN_OIDC_MFA_AMR && { mfaAmr: env.COUNTERSIGN_OIDC_MFA_AMR }),
    },
  });
  await startAuditLog(core);
  await refreshIdpDirectory(core);
  return core;
}

function listen(fetch: (request: Request) => Response | Promise<Response>, env: Env): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port: env.PORT, hostname: env.HOST }, () => resolve(s));
    s.once('error', reject);
  }).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(
      error.code === 'EADDRINUSE'
        ? `PORT: ${env.PORT} is already in use`
        : `cannot listen on ${env.HOST}:${env.PORT}: ${error.message}`,
    );
  });
}

export type RunningServer = {
  core: Core;
  url: string;
  port: number;
  /** Where GET /metrics answers anyone, when COUNTERSIGN_METRICS_PORT is set. */
  metricsPort?: number;
  close(): Promise<void>;
};

/** Starts the HTTP server with the sweeper; resolves once it listens. */
export async function startServer(env: Env, log: Logger): Promise<RunningServer> {
  const slack = slackConfigOf(env);
  const sinks: OutboxSink[] = [
    { name: WEBHOOK_SINK, wants: (type) => WEBHOOK_EVENTS.has(type), onlyWithCallback: true },
  ];
  if (slack)
    sinks.push({
      name: SLACK_SINK,
      wants: (type) => SLACK_EVENTS.has(type),
      // The bot posts to the rule's channel, else to SLACK_APPROVALS_CHANNEL, else nowhere (bot/src/delivery).
      notifies: (channel) => {
        const to = channel ?? slack.defaultChannel;
        return to === undefined ? undefined : { transport: 'slack', channel: to };
      },
    });
  const teamsConfig = teamsConfigOf(env);
  if (teamsConfig)
    sinks.push({
      name: TEAMS_SINK,
      wants: (type) => TEAMS_EVENTS.has(type),
      // The rule's `teams: "<team>/<channel>"`, else TEAMS_APPROVALS_CHANNEL, else nowhere (bot/src/teams).
      notifies: (_channel, teams) => {
        const to = teams ?? teamsConfig.defaultChannel;
        return to === undefined ? undefined : { transport: 'teams', channel: to };
      },
    });
  const core = await openCore(env, log, { policy: 'required', sinks });
  await recordPolicy(core, 'system:server', core.policy.current);
  const bot = slack ? createSlackBot({ config: slack, port: approvalsPort(core), log }) : undefined;
  if (!bot)
    log.info(
      'Slack bot off: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) to turn it on',
    );
  const teams = teamsConfig ? createTeamsBot({ config: teamsConfig, port: teamsPort(core), log }) : undefined;
  if (!teams)
    log.info('Teams bot off: set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID to turn it on');
  const metrics = createMetrics(core);
  const app = createApp(core, {
    metrics,
    maxBodyBytes: env.COUNTERSIGN_MAX_BODY_BYTES,
    submitsPerSecond: env.COUNTERSIGN_RATE_LIMIT,
    trustProxy: env.COUNTERSIGN_TRUST_PROXY,
    slackEvents: bot?.handle,
    teamsMessages: teams?.handle,
    transports: {
      slack: bot ? () => bot.state() : () => 'off',
      teams: teams ? () => teams.state() : () => 'off',
    },
    console: consoleOptionsOf(env),
  });
  const server = await listen(app.fetch, env).catch((error: unknown) => {
    core.database.close();
    throw error;
  });
  const metricsPort = env.COUNTERSIGN_METRICS_PORT;
  const metricsServer =
    metricsPort === undefined
      ? undefined
      : await listen(metricsOnly(metrics), { ...env, PORT: metricsPort }).catch((error: unknown) => {
          server.close();
          core.database.close();
          throw error;
        });
  // Background work starts once the port is ours, and stops in reverse order.
  const stopSweeper = startSweeper(core, env.COUNTERSIGN_SWEEP_INTERVAL_MS);
  const stopIdpRefresh = startIdpRefresh(core);
  const stopCheckpointer = startCheckpointer(core, {
    everyEvents: env.COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS,
    everyMs: env.COUNTERSIGN_AUDIT_CHECKPOINT_MINUTES * 60_000,
  });
  const webhooks = new WebhookDeliverer(core);
  webhooks.start();
  const feed = new ChangeFeed(core);
  feed.start();
  const close = async () => {
    stopCheckpointer();
    stopSweeper();
    stopIdpRefresh();
    webhooks.stop();
    await bot
      ?.stop()
      .catch((error: unknown) => log.warn({ err: error }, 'the Slack bot did not stop cleanly'));
    await teams?.stop();
    await new Promise<void>((resolve) => {
      // No new connections; waiting long-polls answer with the request as it stands (a client then
      // waits again) rather than see their connection dropped. Idle keep-alive connections are closed
      // as they become idle, so answered ones go at once; whatever is still busy after the grace is cut.
      let sweep: ReturnType<typeof setInterval> | undefined;
      let cutoff: ReturnType<typeof setTimeout> | undefined;
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(cutoff);
        resolve();
      });
      core.events.drain();
      if (!('closeAllConnections' in server)) return;
      server.closeIdleConnections();
      sweep = setInterval(() => server.closeIdleConnections(), 20);
      cutoff = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    });
    metricsServer?.close();
    feed.stop();
    await releaseAllLeases(core).catch((error: unknown) =>
      log.warn({ err: error }, 'outbox leases not released; they run out on their own'),
    );
    core.database.close();
  };
  // Slack down or the token refused must not take the API down: the first attempt is awaited (so a
  // healthy Slack is ready when we say we listen), and never throws; retries go on in the background.
  await bot?.start();
  await teams?.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  log.info({ url, policy: core.policy.current.version, db: env.COUNTERSIGN_DB_URL }, 'countersign listening');
  const metricsAddress = metricsServer?.address();
  return {
    core,
    url,
    port,
    ...(typeof metricsAddress === 'object' && metricsAddress && { metricsPort: metricsAddress.port }),
    close,
  };
}
