/**
 * An emulator of Slack's Web API (and Socket Mode) on 127.0.0.1, for tests that cannot reach Slack.
 *
 *   const slack = await startSlackEmulator();
 *   slack.addUser({ id: 'U1', email: 'ada@example.com' });
 *   const app = new App({
 *     token: slack.options.botToken,
 *     receiver: new SocketModeReceiver({
 *       appToken: slack.options.appToken,
 *       installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } }, // reaches apps.connections.open
 *     }),
 *     clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
 *   });
 *   await app.start();
 *   await slack.socketMode.dispatch('interactive', blockActionsPayload);
 *   const update = await slack.waitFor('chat.update');
 *
 * Without `retryConfig`, @slack/web-api retries HTTP 5xx for about 30 minutes, so a failNext(500) test hangs.
 */
export { BLOCK_KIT_LIMITS, type LimitRule } from './block-kit-limits';
export type { BlockKitIssue } from './block-kit-validator';
export { type SlackEmulator, type SocketModeControl, startSlackEmulator } from './emulator';
export type { CallPredicate } from './recorder';
export type { ResponseUrlTarget } from './response-urls';
export type { EnvelopeType, SocketModeAck } from './socket-mode/socket-mode-server';
export type {
  Fault,
  Json,
  JsonObject,
  MessageRevision,
  RecordedCall,
  SeedChannel,
  SeedUser,
  SeedUsergroup,
  SlackEmulatorOptions,
  StoredMessage,
  StoredView,
} from './types';
