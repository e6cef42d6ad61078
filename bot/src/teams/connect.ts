import type { Logger } from 'pino';
import { RETRY_FIRST_MS, RetryingConnection, type TransportState } from '../transport-state';
import { BOT_SCOPE } from './config';
import { CredentialsRefused, type EntraTokens } from './entra-token';

/**
 * Asks Entra for the bot's first token until it answers, with backoff (as SlackConnector asks Slack's
 * auth.test): Teams unreachable never stops the API, and refused credentials are one line naming the
 * variables and no retry.
 */
export class TeamsConnector {
  readonly #connection: RetryingConnection;

  constructor(
    private readonly deps: { tokens: EntraTokens; log: Logger; firstRetryMs?: number | undefined },
  ) {
    this.#connection = new RetryingConnection({
      log: deps.log,
      firstRetryMs: deps.firstRetryMs ?? RETRY_FIRST_MS,
      onLine: 'Teams bot on',
      refused: (error) =>
        error instanceof CredentialsRefused
          ? `TEAMS_APP_PASSWORD: Entra refused the app's credentials (${error.message}); check TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID. The Teams bot stays off until they are fixed and the server restarted. The API serves on.`
          : undefined,
      unreachable: {
        reason: (error) => (error instanceof Error ? error.message : String(error)),
        message:
          'Entra is unreachable; the API serves on without Teams and the bot retries with backoff (1 s doubling to 60 s)',
      },
    });
  }

  state(): TransportState {
    return this.#connection.state();
  }

  start(connected: () => void): Promise<void> {
    return this.#connection.start(async () => {
      await this.deps.tokens.token(BOT_SCOPE);
      connected();
    });
  }

  stop(): void {
    this.#connection.stop();
  }
}
