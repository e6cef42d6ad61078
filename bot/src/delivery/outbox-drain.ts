import { KickLoop, PassFailures } from '@countersign/shared';
import type { Logger } from 'pino';
import type { Delivery } from '../port';

/** A chat sink's outbox as the core keeps it: leased deliveries, their outcomes, and a change feed. */
export interface OutboxSink {
  /** Claims (leases) up to `limit` due deliveries for this node: no other node attempts them meanwhile. */
  due(limit: number): Promise<Delivery[]>;
  nextDueAt(): Promise<number | undefined>;
  /** False when this node's lease ran out first (another node may be delivering it). */
  delivered(id: string): Promise<boolean>;
  /** Gives back claimed deliveries this node will not attempt now. */
  release(ids: string[]): Promise<void>;
  failed(delivery: Delivery, error: string, retryAt?: number): Promise<number>;
  /** Calls `fn` whenever a delivery for this sink may have been written; returns the unsubscribe. */
  onChange(fn: () => void): () => void;
}

/**
 * Drains one chat sink's outbox, the same way for Slack and Teams: woken by a change or a retry's due
 * time, it claims a few deliveries at a time and attempts them in order. A rate limit (the chat's 429)
 * pauses every delivery until its Retry-After and hands the rest of the batch back; any other failure
 * backs that delivery off. What a delivery does, and how the chat says "slow down", is the caller's.
 */
export class OutboxDrain {
  readonly #loop: KickLoop;
  #pausedUntil = 0;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: {
      sink: OutboxSink;
      deliver: (delivery: Delivery) => Promise<void>;
      /** When the chat lets us try again after this error, if it was a rate limit. */
      rateLimitedUntil: (error: unknown) => number | undefined;
      describe: (error: unknown) => string;
      /** What stops while passes fail, as the log says it ("Slack delivery"). */
      paused: string;
      log: Logger;
      /** Ends the warning logged for a failed delivery. */
      failedMessage: string;
    },
  ) {
    // A failing disk is said once, not as a stack trace a second (the server's loops do the same).
    const failures = new PassFailures({ log: deps.log, paused: deps.paused });
    this.#loop = new KickLoop({
      pass: () => this.#pass(),
      // After a 429 nothing is due before the chat's Retry-After, whatever the outbox says.
      nextDueAt: async () => Math.max((await deps.sink.nextDueAt()) ?? 0, this.#pausedUntil) || undefined,
      onError: failures.failed,
      onPassed: failures.succeeded,
    });
  }

  start(): void {
    this.#unsubscribe = this.deps.sink.onChange(() => this.#loop.nudge());
    this.#loop.kick();
  }

  /** Resolves when the pass in flight has finished: the server closes the database right after. */
  stop(): Promise<void> {
    this.#unsubscribe?.();
    return this.#loop.stop();
  }

  async #pass(): Promise<void> {
    for (;;) {
      if (this.#loop.stopped || Date.now() < this.#pausedUntil) return;
      // Claimed deliveries are held by a lease and attempted one after another: claim few at a time,
      // so a slow chat cannot keep a batch past its lease (and another node posting it again).
      const due = await this.deps.sink.due(5);
      if (due.length === 0) return;
      for (const [i, delivery] of due.entries()) {
        if (!(await this.#attempt(delivery))) {
          // The chat asked us to wait: whichever node is first after Retry-After may take the rest.
          await this.deps.sink.release(due.slice(i + 1).map((d) => d.id));
          return;
        }
      }
    }
  }

  /** One delivery; false when the chat asked us to slow down (stop this pass). */
  async #attempt(delivery: Delivery): Promise<boolean> {
    const { sink, log } = this.deps;
    try {
      await this.deps.deliver(delivery);
      await sink.delivered(delivery.id);
      return true;
    } catch (error) {
      const retryAt = this.deps.rateLimitedUntil(error);
      if (retryAt) this.#pausedUntil = retryAt;
      const at = await sink.failed(delivery, this.deps.describe(error), retryAt);
      log.warn(
        {
          deliveryId: delivery.id,
          event: delivery.event,
          retryAt: new Date(at).toISOString(),
          err: this.deps.describe(error),
        },
        this.deps.failedMessage,
      );
      return retryAt === undefined;
    }
  }
}
