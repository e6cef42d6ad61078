import type { Logger } from 'pino';
import { backoffMs, type TransportState } from '../transport-state';
import { BOT_SCOPE } from './config';
import { CredentialsRefused, type EntraTokens } from './entra-token';

/**
 * Asks Entra for the bot's first token until it answers, with backoff (as SlackConnector asks Slack's
 * auth.test): Teams unreachable never stops the API, and refused credentials are one line naming the
 * variables and no retry.
 */
export class TeamsConnector {
  #state: TransportState = 'connecting';
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly deps: { tokens: EntraTokens; log: Logger; firstRetryMs?: number | undefined },
  ) {}

  state(): TransportState {
    return this.#state;
  }

  start(connected: () => void): Promise<void> {
    return new Promise((firstDone) => {
      const attempt = async (n: number): Promise<void> => {
        if (this.#stopped) return firstDone();
        try {
          await this.deps.tokens.token(BOT_SCOPE);
          connected();
          this.#state = 'ready';
          this.deps.log.info(n === 0 ? {} : { attempts: n + 1 }, 'Teams bot on');
        } catch (error) {
          if (error instanceof CredentialsRefused) {
            this.#state = 'refused';
            this.deps.log.error(
              `TEAMS_APP_PASSWORD: Entra refused the app's credentials (${error.message}); check TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID. The Teams bot stays off until they are fixed and the server restarted. The API serves on.`,
            );
          } else {
            if (n === 0)
              this.deps.log.warn(
                { reason: error instanceof Error ? error.message : String(error) },
                'Entra is unreachable; the API serves on without Teams and the bot retries with backoff (1 s doubling to 60 s)',
              );
            this.#timer = setTimeout(() => void attempt(n + 1), backoffMs(n, this.deps.firstRetryMs));
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
