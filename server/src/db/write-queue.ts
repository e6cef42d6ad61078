import type { Db, Tx } from './client';

type Job = {
  run: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (e: unknown) => void;
};

/**
 * Every write in this process goes through one queue, for two reasons.
 * 1. The local libsql driver is synchronous: two interleaved write transactions on one event loop
 *    would have the second busy-wait on a lock the first can never release.
 * 2. Group commit: jobs that queue up while a commit is in flight share the next transaction (each
 *    in its own savepoint, so one job's failure rolls back only that job), paying one fsync for many.
 * A job's result reaches its caller only after the commit that made it durable.
 */
export class WriteQueue {
  readonly #db: Db;
  readonly #maxBatch: number;
  #pending: Job[] = [];
  #draining = false;

  constructor(db: Db, maxBatch = 128) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#maxBatch);
        await this.#commit(batch);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #commit(batch: Job[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.#db.transaction(async (tx) => {
        if (batch.length === 1 && batch[0]) {
          // A lone job needs no savepoint: the transaction itself rolls back if it fails.
          outcomes.push({ ok: true, value: await batch[0].run(tx) });
          return;
        }
        for (const job of batch) {
          try {
            outcomes.push({ ok: true, value: await tx.transaction((sp) => job.run(sp)) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed (or a lone job threw): nothing in this batch is durable.
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  }
}
