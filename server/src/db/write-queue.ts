import type { Db, Queryable, Tx } from './client';
import type { HotStatements } from './local';

// The open transactions the queue runs on the local writer connection, and that connection's raw
// statements. Only a transaction the queue itself opened on the writer is here, so a statement run
// through `hotOf(tx)` always lands inside that transaction.
const hotByTx = new WeakMap<object, HotStatements>();

/**
 * The raw prepared statements for `tx`, when it is a write-queue transaction on a local file's
 * writer connection; undefined otherwise (a remote database: use drizzle on `tx`).
 */
export function hotOf(tx: Queryable): HotStatements | undefined {
  return hotByTx.get(tx);
}

// What to do once each open queue transaction has committed (and only then): keyed by the transaction,
// so a batch that rolls back and runs again job by job drops what its failed attempt registered.
const committedByTx = new WeakMap<object, (() => void)[]>();

/**
 * Runs `fn` once `tx` has committed, for a signal that must not be heard before the row it announces
 * can be read (an outbox row a deliverer is woken for). Never runs if `tx` rolls back. A transaction
 * the queue did not open has no commit to wait for here: `fn` runs on the next microtask.
 */
export function afterCommit(tx: Queryable, fn: () => void): void {
  const list = committedByTx.get(tx);
  if (list) list.push(fn);
  else queueMicrotask(fn);
}

type Job = {
  run: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (e: unknown) => void;
};

/**
 * Every write in this process goes through one queue, for two reasons.
 * 1. The local libsql driver is synchronous: two interleaved write transactions on one event loop
 *    would have the second busy-wait on a lock the first can never release.
 * 2. Group commit: jobs that queue up while a commit is in flight share the next transaction, paying
 *    one fsync for many. A job that throws rolls its batch back; the batch's jobs then run again one
 *    transaction each, so only the failing job fails.
 * A job's result reaches its caller only after the commit that made it durable.
 */
export class WriteQueue {
  readonly #db: Db;
  readonly #maxBatch: number;
  readonly #beforeCommit: () => void;
  readonly #hot: HotStatements | undefined;
  #pending: Job[] = [];
  #draining = false;

  /**
   * `beforeCommit` may throw to refuse a batch outright (the database file vanished: nothing may commit).
   * `hot`: the raw statements of the connection `db` runs on, when `db` is a local file's writer.
   */
  constructor(db: Db, maxBatch = 128, beforeCommit: () => void = () => undefined, hot?: HotStatements) {
    this.#db = db;
    this.#maxBatch = maxBatch;
    this.#beforeCommit = beforeCommit;
    this.#hot = hot;
  }

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) {
        this.#draining = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#maxBatch);
        await this.#commit(batch);
        // The commit blocked the event loop (the driver is synchronous); let the requests that
        // arrived meanwhile be read and queued, so they share the next commit instead of each
        // paying for one.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#draining = false;
    }
  }

  async #commit(batch: Job[]): Promise<void> {
    const results: unknown[] = [];
    try {
      this.#beforeCommit();
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    }
    const committed: (() => void)[] = [];
    try {
      await this.#db.transaction(async (tx) => {
        if (this.#hot) hotByTx.set(tx, this.#hot);
        committedByTx.set(tx, committed);
        for (const job of batch) results.push(await job.run(tx));
      });
    } catch (error) {
      // Jobs return refusals; they throw only on the unexpected (a constraint, a bug, a full disk).
      // One such job must not fail its neighbours: run each again alone, in its own transaction.
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const job of batch) await this.#commit([job]);
      return;
    }
    for (const [i, job] of batch.entries()) job.resolve(results[i]);
    for (const fn of committed) {
      try {
        fn();
      } catch {
        // A signal's listener failing must not touch writes that are already durable and answered;
        // a deliverer that missed its wake-up still finds the row on its own timer.
      }
    }
  }
}
