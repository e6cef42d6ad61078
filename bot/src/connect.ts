import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { backoffMs, type TransportState } from './transport-state';

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
  #state: TransportState = 'connecting';
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #client: WebClient;
  readonly #log: Logger;
  readonly #firstRetryMs: number;

  constructor(options: { token: string; apiUrl: string; log: Logger; firstRetryMs?: number | undefined }) {
    // A black-holed Slack must not hold the first attempt (and so start-up) for minutes.
    this.#client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 10_000,
      rejectRateLimitedCalls: true,
    });
    this.#log = options.log;
    this.#firstRetryMs = options.firstRetryMs ?? 1_000;
  }

  state(): TransportState {
    return this.#state;
  }

  /**
   * Calls `connected` once Slack knows the token (and `connected` itself succeeds). Resolves after the
   * first attempt, whatever it found; later attempts run in the background until `stop()`.
   */
  start(connected: (who: BotIdentity) => Promise<void>): Promise<void> {
    return new Promise((firstDone) => {
      const attempt = async (n: number): Promise<void> => {
        if (this.#stopped) return firstDone();
        try {
          const auth = await this.#client.auth.test();
          if (!auth.user_id || !auth.bot_id) throw new Error('auth.test named no bot user');
          await connected({ botUserId: auth.user_id, botId: auth.bot_id, teamId: auth.team_id });
          this.#state = 'ready';
          this.#log.info(n === 0 ? {} : { attempts: n + 1 }, 'Slack bot on');
        } catch (error) {
          const code = platformError(error);
          if (code !== undefined && REFUSED.has(code)) {
            this.#state = 'refused';
            this.#log.error(
              `SLACK_BOT_TOKEN: Slack refused the bot token (${code}); the Slack bot stays off until the token is fixed and the server restarted. The API serves on.`,
            );
          } else {
            if (n === 0)
              this.#log.warn(
                { reason: code ?? (error instanceof Error ? error.message : String(error)) },
                'Slack is unreachable; the API serves on without Slack and the bot retries auth.test with backoff (1 s doubling to 60 s)',
              );
            this.#timer = setTimeout(() => void attempt(n + 1), backoffMs(n, this.#firstRetryMs));
            this.#timer.unref();
          }
        }
        firstDone();
      };
      void attempt(0);
    });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
