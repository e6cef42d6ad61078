import { EventEmitter } from 'node:events';

/**
 * In-process signal that a request changed state. Long-polls wait on it instead of sleeping, and
 * later the Slack bot and webhooks listen to it. It is only a wake-up call: listeners re-read the
 * request from the database, so a missed or duplicate signal costs a read, never correctness.
 */
/** Not a string: no request id can collide with it. */
const DRAIN = Symbol('drain');
/** Symbols too, one per sink. */
const outboxKeys = new Map<string, symbol>();
function outboxKey(sink: string): symbol {
  let key = outboxKeys.get(sink);
  if (!key) {
    key = Symbol(`outbox:${sink}`);
    outboxKeys.set(sink, key);
  }
  return key;
}

export class ActionEvents {
  readonly #emitter = new EventEmitter();
  #waiting = 0;
  #draining = false;

  constructor() {
    // One listener per waiting long-poll; thousands may wait at once.
    this.#emitter.setMaxListeners(0);
  }

  /** `settled`: the caller knows the request left `pending` (the change feed read its final event). */
  changed(actionId: string, settled = false): void {
    this.#emitter.emit(actionId, actionId, settled);
    this.#emitter.emit('*', actionId, settled);
  }

  /** Calls `fn` on every change of `actionId` (or of any request, for '*'); returns the unsubscribe. */
  on(actionId: string | '*', fn: (actionId: string, settled: boolean) => void): () => void {
    this.#emitter.on(actionId, fn);
    if (actionId === '*') return () => this.#emitter.off(actionId, fn);
    this.#waiting += 1;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#waiting -= 1;
      this.#emitter.off(actionId, fn);
    };
  }

  /**
   * This process committed a delivery for `sink` to the outbox. On a local file (one writer process,
   * no change feed) this is all a deliverer needs to hear: most changes write nothing for it (an
   * allow without a callbackUrl writes no webhook row), and waking on every change cost a claim
   * through the write queue every 20 ms under load.
   */
  outboxWritten(sink: string): void {
    this.#emitter.emit(outboxKey(sink));
  }

  /** Calls `fn` whenever this process commits a delivery for `sink`; returns the unsubscribe. */
  onOutbox(sink: string, fn: () => void): () => void {
    const key = outboxKey(sink);
    this.#emitter.on(key, fn);
    return () => this.#emitter.off(key, fn);
  }

  /** How many listeners wait on one request (long-polls): the change feed looks often while any do. */
  waiting(): number {
    return this.#waiting;
  }

  /**
   * The server is shutting down: every long-poll answers now with the request as it stands (as at
   * its wait's end, so a client simply waits again, elsewhere), instead of being cut off with the
   * connection. Waits that begin after this answer at once.
   */
  drain(): void {
    this.#draining = true;
    this.#emitter.emit(DRAIN);
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Calls `fn` once when draining starts; returns the unsubscribe. */
  onDrain(fn: () => void): () => void {
    this.#emitter.once(DRAIN, fn);
    return () => this.#emitter.off(DRAIN, fn);
  }
}
