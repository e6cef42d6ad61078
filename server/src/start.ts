import { createSlackBot, createTeamsBot, SLACK_EVENTS, TEAMS_EVENTS } from '@countersign/bot';
import { type ServerType, serve } from '@hono/node-server';
import type { Logger } from 'pino';
import type { Env } from './env';
import { createApp } from './http/app';
import { answerClientError } from './http/client-error';
import { metricsOnly } from './http/routes/metrics';
import { createMetrics } from './metrics/metrics';
import { openCore } from './open-core';
import { startSweeper } from './services/actions/expire-actions';
import { startCheckpointer } from './services/audit/checkpointer';
import { ChangeFeed } from './services/change-feed';
import type { Core } from './services/core';
import { requireWritableStorage } from './services/health/require-writable-storage';
import { startIdpRefresh } from './services/identity/idp-directory';
import { releaseAllLeases } from './services/outbox/deliveries';
import type { OutboxSink } from './services/outbox/record';
import { recordPolicy } from './services/policy/reload-policy';
import { warnStepUpGaps } from './services/policy/warn-step-up-gaps';
import { approvalsPort, SLACK_SINK } from './slack/approvals-port';
import { slackConfigOf } from './slack/slack-config';
import { StartupError } from './startup-error';
import { TEAMS_SINK, teamsPort } from './teams/approvals-port';
import { teamsConfigOf } from './teams/teams-config';
import { consoleOptionsOf } from './web/console-options';
import { WEBHOOK_EVENTS, WEBHOOK_SINK, WebhookDeliverer } from './webhooks/webhook-deliverer';

export { StartupError };

/** How long a stopping server lets requests in flight finish before cutting their connections. */
const SHUTDOWN_GRACE_MS = 5_000;

export { openCore };

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  env: Env,
  // The variable that chose the port, named in the refusal: PORT, or COUNTERSIGN_METRICS_PORT.
  variable = 'PORT',
): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port: env.PORT, hostname: env.HOST }, () => resolve(s));
    s.on('clientError', answerClientError);
    s.once('error', reject);
  }).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(
      error.code === 'EADDRINUSE'
        ? `${variable}: ${env.PORT} is already in use`
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
  await requireWritableStorage(core, env.COUNTERSIGN_DB_URL).catch((error: unknown) => {
    core.database.close();
    throw error;
  });
  await recordPolicy(core, 'system:server', core.policy.current);
  warnStepUpGaps(core);
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
      : await listen(metricsOnly(metrics), { ...env, PORT: metricsPort }, 'COUNTERSIGN_METRICS_PORT').catch(
          (error: unknown) => {
            server.close();
            core.database.close();
            throw error;
          },
        );
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
    // Both finish what is in flight (a sweep, a post to a slow receiver: up to the HTTP grace) while
    // the HTTP server drains, and are awaited before the database closes.
    const sweeperStopped = stopSweeper();
    stopIdpRefresh();
    const webhooksStopped = webhooks.stop(SHUTDOWN_GRACE_MS);
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
    await Promise.all([sweeperStopped, webhooksStopped]);
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
