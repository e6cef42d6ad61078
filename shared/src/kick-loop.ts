/**
 * Runs `pass` whenever kicked — at most one pass at a time, and once more if kicked during a pass —
 * and otherwise when `nextDueAt` says work falls due (re-checked at least every `idleMs`). The shape
 * every outbox deliverer needs: woken by a change, by a retry's due time, or by nothing at all.
 */
export class KickLoop {
  readonly #pass: () => Promise<void>;
  readonly #nextDueAt: () => Promise<number | undefined>;
  readonly #onError: (error: unknown) => void;
  readonly #idleMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  /** The pass in flight, so that stop() can wait for it: shutdown closes the database next. */
  #current: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #nudged: ReturnType<typeof setTimeout> | undefined;

  constructor(options: {
    pass: () => Promise<void>;
    nextDueAt: () => Promise<number | undefined>;
    onError: (error: unknown) => void;
    idleMs?: number;
  }) {
    this.#pass = options.pass;
    this.#nextDueAt = options.nextDueAt;
    this.#onError = options.onError;
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
      .catch(this.#onError)
      .finally(() => {
        this.#running = false;
        this.#current = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        } else {
          this.#schedule().catch(this.#onError);
        }
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

  /** No pass starts after this; resolves when the one in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#nudged);
    await this.#current;
  }

  async #schedule(): Promise<void> {
    if (this.#stopped) return;
    const next = (await this.#nextDueAt()) ?? Date.now() + this.#idleMs;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), Math.max(10, Math.min(next - Date.now(), this.#idleMs)));
    // A pending retry must not keep a process alive that is otherwise done (Node only).
    const timer = this.#timer as { unref?: () => void };
    timer.unref?.();
  }
}
