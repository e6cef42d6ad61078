import type { RecordedCall } from './types';

export type CallPredicate = (call: RecordedCall) => boolean;

interface Waiter {
  method: string;
  predicate: CallPredicate;
  resolve: (call: RecordedCall) => void;
}

/** Every call the emulator answered, in arrival order, plus promise-based waiting for the next match. */
export class Recorder {
  readonly #calls: RecordedCall[] = [];
  readonly #waiters = new Set<Waiter>();
  #seq = 0;

  get calls(): readonly RecordedCall[] {
    return this.#calls;
  }

  nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  record(call: RecordedCall): void {
    this.#calls.push(call);
    for (const waiter of [...this.#waiters]) {
      if (waiter.method === call.method && waiter.predicate(call)) {
        this.#waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  }

  callsTo(method: string): RecordedCall[] {
    return this.#calls.filter((call) => call.method === method);
  }

  /**
   * Resolves with the first recorded call to `method` that satisfies `predicate` — one already recorded
   * (since the last reset) or the next to arrive. To wait only for calls after some point, compare
   * `call.seq` with a mark taken from `calls.at(-1)?.seq` in the predicate.
   */
  waitFor(method: string, predicate: CallPredicate = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const already = this.#calls.find((call) => call.method === method && predicate(call));
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        resolve: (call) => {
          clearTimeout(timer);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.callsTo(method).map((call) => JSON.stringify(call.args));
        reject(
          new Error(
            `slack-emulator: no matching ${method} call within ${timeoutMs} ms; ` +
              `${seen.length} call(s) to it were recorded${seen.length > 0 ? `: ${seen.join(' | ')}` : ''}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Forgets recorded calls. Pending waiters keep waiting for new calls. */
  reset(): void {
    this.#calls.length = 0;
  }
}
