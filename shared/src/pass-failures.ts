/** The logger methods a background loop reports through (pino's, structurally). */
export type LoopLogger = {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
};

// Storage every operator knows how to mend (free space, remount read-write, check the disk): the
// extended codes too (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…). Anything else is a bug to read.
const STORAGE_CODE = /^(SQLITE_(FULL|READONLY|IOERR)(_\w+)?|EROFS|ENOSPC)$/;

/**
 * The storage failure behind `error`, if it is one of the known ones: its code (the most specific in
 * the cause chain: drizzle wraps the driver's error, which may wrap the system's) and the file it
 * names, when it names one. Undefined for any other error.
 */
export function storageFailureOf(error: unknown): { code: string; file?: string } | undefined {
  let found: { code: string; file?: string } | undefined;
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 8; depth++) {
    for (const key of ['code', 'extendedCode'] as const) {
      const code = key in e ? (e as Record<string, unknown>)[key] : undefined;
      if (typeof code === 'string' && STORAGE_CODE.test(code) && (!found || code.length > found.code.length))
        found = { code, ...(found?.file !== undefined && { file: found.file }) };
    }
    const path = 'path' in e ? e.path : undefined;
    if (found && typeof path === 'string') found.file = path;
    e = 'cause' in e ? e.cause : undefined;
  }
  return found;
}

/** One minute: how often a storage outage that goes on is summed up in the log. */
export const OUTAGE_SUMMARY_MS = 60_000;

/**
 * What a background loop (an outbox deliverer, the expiry sweeper) tells its operator when its passes
 * fail. Each pass is retried about once a second, so an outage of the disk (full, read-only, failing)
 * would otherwise write a stack trace a second per loop: it is said once, in one short line (the code,
 * the file, what is paused), repeats are counted and summed up every minute, and the recovery says
 * how long it lasted and how many passes failed. Any other error is logged in full every time: it is
 * not the disk, and someone has to read it.
 */
export class PassFailures {
  readonly #log: LoopLogger;
  readonly #paused: string;
  readonly #file: string | undefined;
  readonly #now: () => number;
  #outage:
    | { code: string; since: number; failures: number; summedAt: number; sinceSummary: number }
    | undefined;

  constructor(options: {
    log: LoopLogger;
    /** What stops while the storage fails, as the log says it: "webhook deliveries", "the expiry sweep". */
    paused: string;
    /** The database the loop writes to, named when the error itself names no file. */
    file?: string | undefined;
    now?: () => number;
  }) {
    this.#log = options.log;
    this.#paused = options.paused;
    this.#file = options.file;
    this.#now = options.now ?? Date.now;
  }

  /** A pass failed (pass this as KickLoop's `onError`). */
  readonly failed = (error: unknown): void => {
    const storage = storageFailureOf(error);
    if (!storage) {
      this.#log.error({ err: error }, `${this.#paused}: a pass failed`);
      return;
    }
    const now = this.#now();
    const outage = this.#outage;
    if (outage && outage.code === storage.code) {
      outage.failures += 1;
      outage.sinceSummary += 1;
      if (now - outage.summedAt >= OUTAGE_SUMMARY_MS) {
        this.#log.warn(
          { code: outage.code, failures: outage.sinceSummary, pausedForMs: now - outage.since },
          `${this.#paused} still paused: ${outage.code}, ${outage.sinceSummary} failed passes in the last minute`,
        );
        outage.summedAt = now;
        outage.sinceSummary = 0;
      }
      return;
    }
    // A new outage, or the same one turned into another (full, then read-only): said once, no stack.
    if (outage) this.#recovered(now, `${this.#paused}: ${outage.code} gave way to ${storage.code}`);
    const file = storage.file ?? this.#file;
    this.#log.error(
      { code: storage.code, ...(file !== undefined && { file }) },
      `${this.#paused} paused: the storage failed (${storage.code}${file === undefined ? '' : ` on ${file}`}); retrying every second`,
    );
    this.#outage = { code: storage.code, since: now, failures: 1, summedAt: now, sinceSummary: 0 };
  };

  /** A pass completed (pass this as KickLoop's `onPassed`): ends an outage, if one was going on. */
  readonly succeeded = (): void => {
    if (this.#outage) this.#recovered(this.#now(), `${this.#paused} resumed`);
  };

  #recovered(now: number, message: string): void {
    const outage = this.#outage;
    if (!outage) return;
    this.#outage = undefined;
    this.#log.warn(
      { code: outage.code, failures: outage.failures, pausedForMs: now - outage.since },
      `${message} after ${Math.round((now - outage.since) / 1000)} s (${outage.failures} failed passes)`,
    );
  }
}
