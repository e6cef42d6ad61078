/**
 * Runs `pass` whenever kicked — at most one pass at a time, and once more if kicked during a pass —
 * and otherwise when `nextDueAt` says work falls due (re-checked at least every `idleMs`). The shape
 * every outbox deliverer needs: woken by a change, by a retry's due time, or by nothing at all.
 */
const RETRY_AFTER_FAILURE_MS = 1_000;

export class KickLoop {
  readonly #pass: () => Promise<void>;
  readonly #nextDueAt: () => Promise<number | undefined>;
  readonly #onError: (error: unknown) => void;
  readonly #onPassed: () => void;
  readonly #idleMs: number;
  /** The last pass failed: the next waits a while, so a storage outage is not retried in a tight loop. */
  #failing = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  /** The pass in flight, so that stop() can wait for it: shutdown closes the database next. */
  #current: Promise<void> | undefined;
  #asking: Promise<unknown> | undefined;
  #again = false;
  #stopped = false;
  #nudged: ReturnType<typeof setTimeout> | undefined;

  constructor(options: {
    pass: () => Promise<void>;
    nextDueAt: () => Promise<number | undefined>;
    onError: (error: unknown) => void;
    /** After a pass that did not throw: lets a failure report (PassFailures) say the loop recovered. */
    onPassed?: () => void;
    idleMs?: number;
  }) {
    this.#pass = options.pass;
    this.#nextDueAt = options.nextDueAt;
    this.#onError = options.onError;
    this.#onPassed = options.onPassed ?? (() => {});
    this.#idleMs = options.idleMs ?? 30_000;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#current = this.#pass()
      .then(
        () => {
          this.#failing = false;
          this.#onPassed();
        },
        (error: unknown) => {
          this.#failing = true;
          this.#onError(error);
        },
      )
      .finally(() => {
        this.#running = false;
        this.#current = undefined;
        // After a failure a kick waits for the pause too: it is the storage, not the work, that is wrong.
        const again = this.#again && !this.#failing;
        this.#again = false;
        if (again) this.kick();
        else void this.#schedule();
      });
  }

  /**
   * A kick soon: many changes within a few milliseconds (a busy API) share one pass, instead of each
   * costing an outbox query when most of them gave the deliverer nothing to do.
   */
  nudge(coalesceMs = 20): void {
    if (this.#stopped || this.#nudged !== undefined) return;
    this.#nudged = setTimeout(() => {
      this.#nudged = undefined;
      this.kick();
    }, coalesceMs);
  }

  /** Waits for the next pass as if one had just finished (a loop whose first pass is not due at once). */
  schedule(): void {
    void this.#schedule();
  }

  /** No pass starts after this; resolves when the one in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#nudged);
    await this.#current;
    await this.#asking;
  }

  async #schedule(): Promise<void> {
    if (this.#stopped) return;
    let next: number | undefined;
    try {
      // Kept, like the pass, for stop() to wait on: it reads the database that shutdown closes next.
      const asking = this.#nextDueAt();
      this.#asking = asking.catch(() => undefined);
      next = await asking;
    } catch (error) {
      // Still set the timer: a loop whose timer was never set would wait for a kick that may not come.
      this.#failing = true;
      this.#onError(error);
    }
    if (this.#stopped) return;
    next ??= Date.now() + this.#idleMs;
    // A failed pass leaves its work due at once (a claim the full disk refused): without a pause the
    // loop would retry, and report, a hundred times a second until the storage came back.
    const least = this.#failing ? RETRY_AFTER_FAILURE_MS : 10;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), Math.max(least, Math.min(next - Date.now(), this.#idleMs)));
    // A pending retry must not keep a process alive that is otherwise done (Node only).
    const timer = this.#timer as { unref?: () => void };
    timer.unref?.();
  }
}
