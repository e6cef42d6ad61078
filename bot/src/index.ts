import { App, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from './config';
import { HomeRefresher } from './delivery/home-refresher';
import { SLACK_EVENTS, SlackDeliverer } from './delivery/slack-deliverer';
import type { BotDeps } from './deps';
import { Identity } from './identity';
import { register as decideButtons } from './listeners/actions/decide-buttons';
import { register as approvalsCommand } from './listeners/commands/approvals';
import { register as decideCommands } from './listeners/commands/decide';
import { register as appHomeOpened } from './listeners/events/app-home-opened';
import { register as denyModal } from './listeners/views/deny-modal';
import { boltLogger } from './logger';
import type { ApprovalsPort } from './port';
import { HttpReceiver } from './receiver/http-receiver';

export type { SlackConfig } from './config';
export type { ApprovalsPort, Delivery, MessageRef, Outcome, Queue, SlackPerson } from './port';
export { signSlackRequest, verifySlackSignature } from './receiver/verify-signature';
export { SLACK_EVENTS };

// Slack user groups change when on-call rotates; this is how stale a group may get.
const GROUP_REFRESH_MS = 5 * 60_000;

export type SlackBot = {
  mode: 'http' | 'socket';
  /** HTTP mode: the handler for POST /slack/events. */
  handle?: (request: Request) => Promise<Response>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** The Slack bot: Bolt listeners over the approvals port, and the outbox deliverer. */
export function createSlackBot(options: { config: SlackConfig; port: ApprovalsPort; log: Logger }): SlackBot {
  const { config, port } = options;
  const log = options.log.child({ component: 'slack' });
  // The outbox retries on its own schedule and honours Retry-After; the client must not also retry.
  const clientOptions = {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };
  const http = config.appToken ? undefined : new HttpReceiver(config.signingSecret ?? '', log);
  const receiver =
    http ??
    new SocketModeReceiver({
      appToken: config.appToken ?? '',
      installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } },
      logger: boltLogger(log),
    });
  const app = new App({ token: config.botToken, receiver, clientOptions, logger: boltLogger(log) });
  const identity = new Identity(app.client, port, log);
  const home = new HomeRefresher(app.client, port, identity, log);
  const deps: BotDeps = { port, identity, home, log };
  for (const register of [decideButtons, denyModal, decideCommands, approvalsCommand, appHomeOpened])
    register(app, deps);
  app.error(async (error) => {
    log.error({ err: error.message }, 'a Slack listener failed');
  });
  const deliverer = new SlackDeliverer({
    client: app.client,
    port,
    identity,
    home,
    log,
    defaultChannel: config.defaultChannel,
  });
  let groupTimer: NodeJS.Timeout | undefined;
  const refreshGroups = () =>
    identity
      .refreshGroups()
      .catch((error: unknown) => log.warn({ err: String(error) }, 'could not resolve Slack user groups'));

  return {
    mode: http ? 'http' : 'socket',
    ...(http && { handle: (request: Request) => http.handle(request) }),
    start: async () => {
      await app.start();
      await refreshGroups();
      groupTimer = setInterval(refreshGroups, GROUP_REFRESH_MS);
      groupTimer.unref();
      deliverer.start();
    },
    stop: async () => {
      clearInterval(groupTimer);
      deliverer.stop();
      await app.stop();
    },
  };
}
