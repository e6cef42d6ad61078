import { App, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from './config';
import { type BotIdentity, SlackConnector } from './connect';
import { HomeRefresher } from './delivery/home-refresher';
import { SLACK_EVENTS, SlackDeliverer } from './delivery/slack-deliverer';
import type { BotDeps } from './deps';
import { Identity } from './identity';
import { register as answerButton } from './listeners/actions/answer-button';
import { register as approveExtras } from './listeners/actions/approve-extras';
import { register as askButton } from './listeners/actions/ask-button';
import { register as breakGlassButton } from './listeners/actions/break-glass-button';
import { register as decideButtons } from './listeners/actions/decide-buttons';
import { register as followUpButtons } from './listeners/actions/follow-up-buttons';
import { register as openLink } from './listeners/actions/open-link';
import { register as revokeStanding } from './listeners/actions/revoke-standing';
import { register as approvalsCommand } from './listeners/commands/approvals';
import { register as decideCommands } from './listeners/commands/decide';
import { register as appHomeOpened } from './listeners/events/app-home-opened';
import { register as answerModal } from './listeners/views/answer-modal';
import { register as approveExtrasModals } from './listeners/views/approve-extras';
import { register as askModal } from './listeners/views/ask-modal';
import { register as breakGlassModal } from './listeners/views/break-glass-modal';
import { register as denyModal } from './listeners/views/deny-modal';
import { register as flagModal } from './listeners/views/flag-modal';
import { boltLogger } from './logger';
import type { ApprovalsPort } from './port';
import { HttpReceiver } from './receiver/http-receiver';
import { slackErrorText } from './slack-error';
import type { Transport } from './transport-state';

// The console amends params the way the Slack modal does: masked values left in place are kept.
export { parseAmendedParams } from './blocks/approve-modals';
export type { SlackConfig } from './config';
export type {
  ApprovalExtras,
  ApprovalsPort,
  Delivery,
  MessageRef,
  Outcome,
  Queue,
  Refusal,
  ReviewOptions,
  SlackPerson,
} from './port';
// The web console masks params the same way the chat transports do.
export { maskSecrets, OUTCOME_WORDS } from './present';
export { signSlackRequest, verifySlackSignature } from './receiver/verify-signature';
export * from './teams/index';
export type { Transport, TransportState } from './transport-state';
export { SLACK_EVENTS };

// Slack user groups change when on-call rotates; this is how stale a group may get.
const GROUP_REFRESH_MS = 5 * 60_000;

export type SlackBot = Transport & {
  mode: 'http' | 'socket';
  /** HTTP mode: the handler for POST /slack/events (503 until the bot is connected). */
  handle?: (request: Request) => Promise<Response>;
};

/**
 * The Slack bot: Bolt listeners over the approvals port, and the outbox deliverer. Nothing of it runs
 * until auth.test answers; until then Slack's messages wait in the outbox and the API serves on.
 */
export function createSlackBot(options: {
  config: SlackConfig;
  port: ApprovalsPort;
  log: Logger;
  /** Tests shorten the first retry; production waits 1 s. */
  firstRetryMs?: number;
}): SlackBot {
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
  const connector = new SlackConnector({
    token: config.botToken,
    apiUrl: config.apiUrl,
    log,
    firstRetryMs: options.firstRetryMs,
  });
  type Built = { app: App; identity: Identity; deliverer: SlackDeliverer };
  let built: Built | undefined;
  let groupTimer: NodeJS.Timeout | undefined;

  const build = (who: BotIdentity): Built => {
    // botId and botUserId from our own auth.test, so Bolt does not call it again (and cache a failure).
    const app = new App({
      token: config.botToken,
      botId: who.botId,
      botUserId: who.botUserId,
      receiver,
      clientOptions,
      logger: boltLogger(log),
    });
    const identity = new Identity(app.client, port, log);
    const home = new HomeRefresher(app.client, port, identity, log, config.consoleUrl);
    const deps: BotDeps = { port, identity, home, log };
    for (const register of [
      decideButtons,
      approveExtras,
      approveExtrasModals,
      answerButton,
      answerModal,
      askButton,
      askModal,
      breakGlassButton,
      breakGlassModal,
      followUpButtons,
      flagModal,
      revokeStanding,
      openLink,
      denyModal,
      decideCommands,
      approvalsCommand,
      appHomeOpened,
    ])
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
      consoleUrl: config.consoleUrl,
    });
    return { app, identity, deliverer };
  };

  // Called once auth.test has answered; a retry after a failed socket start reuses the same App.
  const connected = async (who: BotIdentity) => {
    built ??= build(who);
    const { app, identity, deliverer } = built;
    await app.start();
    const refreshGroups = () =>
      identity
        .refreshGroups()
        .catch((error: unknown) =>
          log.warn({ err: slackErrorText(error) }, 'could not resolve Slack user groups'),
        );
    await refreshGroups();
    groupTimer = setInterval(refreshGroups, GROUP_REFRESH_MS);
    groupTimer.unref();
    deliverer.start();
  };

  return {
    name: 'slack',
    mode: http ? 'http' : 'socket',
    ...(http && { handle: (request: Request) => http.handle(request) }),
    state: () => connector.state(),
    start: () => connector.start(connected),
    stop: async () => {
      connector.stop();
      clearInterval(groupTimer);
      if (!built) return;
      // Awaited: a delivery in flight records its outcome before the server closes the database.
      await built.deliverer.stop();
      await built.app.stop();
    },
  };
}
