import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { RETRY_FIRST_MS, RetryingConnection, type TransportState } from './transport-state';

export type BotIdentity = { botUserId: string; botId: string; teamId: string | undefined };

// Slack's answers that mean "this token will not work until someone changes it": retrying cannot help.
const REFUSED = new Set([
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_authed',
  'not_allowed_token_type',
]);

const platformError = (error: unknown): string | undefined => {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
};

/**
 * Asks Slack who the bot is (auth.test) until it answers, with backoff; says so once when it starts
 * retrying and once when it gets through. A refused token is one line naming SLACK_BOT_TOKEN and no retry.
 */
export class SlackConnector {
  readonly #client: WebClient;
  readonly #connection: RetryingConnection;

  constructor(options: { token: string; apiUrl: string; log: Logger; firstRetryMs?: number | undefined }) {
    // A black-holed Slack must not hold the first attempt (and so start-up) for minutes.
    this.#client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 10_000,
      rejectRateLimitedCalls: true,
    });
    this.#connection = new RetryingConnection({
      log: options.log,
      firstRetryMs: options.firstRetryMs ?? RETRY_FIRST_MS,
      onLine: 'Slack bot on',
      refused: (error) => {
        const code = platformError(error);
        return code !== undefined && REFUSED.has(code)
          ? `SLACK_BOT_TOKEN: Slack refused the bot token (${code}); the Slack bot stays off until the token is fixed and the server restarted. The API serves on.`
          : undefined;
      },
      unreachable: {
        reason: (error) => platformError(error) ?? (error instanceof Error ? error.message : String(error)),
        message:
          'Slack is unreachable; the API serves on without Slack and the bot retries auth.test with backoff (1 s doubling to 60 s)',
      },
    });
  }

  state(): TransportState {
    return this.#connection.state();
  }

  /**
   * Calls `connected` once Slack knows the token (and `connected` itself succeeds). Resolves after the
   * first attempt, whatever it found; later attempts run in the background until `stop()`.
   */
  start(connected: (who: BotIdentity) => Promise<void>): Promise<void> {
    return this.#connection.start(async () => {
      const auth = await this.#client.auth.test();
      if (!auth.user_id || !auth.bot_id) throw new Error('auth.test named no bot user');
      await connected({ botUserId: auth.user_id, botId: auth.bot_id, teamId: auth.team_id });
    });
  }

  stop(): void {
    this.#connection.stop();
  }
}
