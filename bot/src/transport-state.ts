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
