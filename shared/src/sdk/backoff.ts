/** How hard to keep trying through network trouble (refused connections, resets, 429 and 5xx answers). */
export type RetryOptions = {
  /** Give up after trouble has lasted this long without one good answer. Default 60 s. */
  maxElapsedMs?: number;
  /** First pause. Default 250 ms; each next one doubles, with jitter. */
  initialDelayMs?: number;
  /** Longest pause. Default 5 s. */
  maxDelayMs?: number;
};

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = { maxElapsedMs: 60_000, initialDelayMs: 250, maxDelayMs: 5_000 };

export const retryPolicy = (
  options: RetryOptions | undefined,
  base: RetryPolicy = DEFAULT_RETRY,
): RetryPolicy => ({
  maxElapsedMs: options?.maxElapsedMs ?? base.maxElapsedMs,
  initialDelayMs: options?.initialDelayMs ?? base.initialDelayMs,
  maxDelayMs: options?.maxDelayMs ?? base.maxDelayMs,
});

/**
 * The pause before retry number `attempt` (0-based): exponential, capped, with "equal jitter" so
 * that many agents cut off by the same restart do not all come back in the same millisecond.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
