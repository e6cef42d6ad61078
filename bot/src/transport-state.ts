import type { Logger } from 'pino';

/**
 * How a chat transport (Slack now, Teams next) stands, as /readyz reports it. The API never waits on a
 * transport: a transport that is down queues its messages in the outbox and catches up when it connects.
 * - off: not configured; - connecting: configured, not yet through to the service (retrying);
 * - ready: connected and delivering; - refused: the service refused our credentials; it stays off.
 */
export type TransportState = 'off' | 'connecting' | 'ready' | 'refused';

/** What the server needs of any transport it runs: its state, and to start and stop it. */
export type Transport = {
  name: string;
  state(): TransportState;
  /** Resolves after the first attempt to connect (ready, refused, or retrying in the background). */
  start(): Promise<void>;
  stop(): Promise<void>;
};

// First retry after 1 s, doubling to one a minute: a Slack outage costs one call a minute, not a storm.
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 60_000;

export function backoffMs(attempt: number, first = RETRY_FIRST_MS): number {
  const base = Math.min(RETRY_MAX_MS, first * 2 ** Math.min(attempt, 16));
  // Jitter so that several nodes restarted together do not knock in step.
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Connects a chat transport the same way whatever the service: tries at once, resolves after that
 * first attempt whatever it found, and retries in the background with backoff until it gets through,
 * is refused (credentials retrying cannot fix: one error line, no retry) or is stopped. Says once when
 * it starts retrying and once when it gets through.
 */
export class RetryingConnection {
  #state: TransportState = 'connecting';
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly options: {
      log: Logger;
      firstRetryMs: number;
      /** Logged once connected. */
      onLine: string;
      /** The error line when the service refused us for good; undefined to retry. */
      refused: (error: unknown) => string | undefined;
      /** Logged, with the reason, at the first failure that retrying may cure. */
      unreachable: { reason: (error: unknown) => string; message: string };
    },
  ) {}

  state(): TransportState {
    return this.#state;
  }

  /** Runs `attempt` until it resolves (then `ready`), with backoff between tries. */
  start(attempt: () => Promise<void>): Promise<void> {
    const { log, firstRetryMs, onLine, refused, unreachable } = this.options;
    return new Promise((firstDone) => {
      const tryOnce = async (n: number): Promise<void> => {
        if (this.#stopped) return firstDone();
        try {
          await attempt();
          this.#state = 'ready';
          log.info(n === 0 ? {} : { attempts: n + 1 }, onLine);
        } catch (error) {
          const line = refused(error);
          if (line !== undefined) {
            this.#state = 'refused';
            log.error(line);
          } else {
            if (n === 0) log.warn({ reason: unreachable.reason(error) }, unreachable.message);
            this.#timer = setTimeout(() => void tryOnce(n + 1), backoffMs(n, firstRetryMs));
            this.#timer.unref();
          }
        }
        firstDone();
      };
      void tryOnce(0);
    });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
