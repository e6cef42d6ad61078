import type { ErrorDetail } from '../schemas/errors';
import { backoffDelay, type RetryPolicy, sleep } from './backoff';
import { CountersignError } from './errors';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type TransportConfig = { url: string; key: string; fetch: FetchLike; retry: RetryPolicy };

export type CallOptions = {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** One attempt's limit: a connection that hangs silently counts as network trouble. */
  attemptTimeoutMs?: number;
  retry?: RetryPolicy | undefined;
};

// Answers that say "not now" rather than "no": the same call may succeed a moment later.
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

type ErrorShape = { error?: { code?: unknown; message?: unknown; details?: unknown } };

function errorFrom(status: number, text: string): CountersignError {
  let parsed: ErrorShape = {};
  try {
    parsed = JSON.parse(text) as ErrorShape;
  } catch {
    // A proxy's HTML error page, say: keep the status, invent nothing.
  }
  const e = parsed.error ?? {};
  const code = typeof e.code === 'string' ? e.code : `http_${status}`;
  const message = typeof e.message === 'string' ? e.message : `HTTP ${status}`;
  const details = Array.isArray(e.details) ? (e.details as ErrorDetail[]) : undefined;
  return new CountersignError(code, message, { status, ...(details && { details }) });
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * One call to the Countersign API, retried with backoff through network trouble until the policy's
 * budget runs out. Only calls that are safe to repeat come here with retries: reads, and writes the
 * server deduplicates (a submission or a redeem with an Idempotency-Key) or refuses to repeat (cancel).
 */
export async function call<T>(config: TransportConfig, options: CallOptions): Promise<T> {
  const policy = options.retry ?? config.retry;
  const started = Date.now();
  const url = `${config.url.replace(/\/+$/, '')}${options.path}`;
  const headers: Record<string, string> = {
    authorization: `Bearer ${config.key}`,
    accept: 'application/json',
    ...(options.body !== undefined && { 'content-type': 'application/json' }),
    ...options.headers,
  };
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  for (let attempt = 0; ; attempt++) {
    let trouble: unknown;
    let wait: number | undefined;
    const timeout = AbortSignal.timeout(options.attemptTimeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const response = await config.fetch(url, { method: options.method, headers, body, signal });
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text) as T;
        } catch (cause) {
          throw new CountersignError('bad_response', `${options.method} ${options.path}: not JSON`, {
            cause,
          });
        }
      }
      const error = errorFrom(response.status, text);
      if (!TRANSIENT.has(response.status)) throw error;
      trouble = error;
      wait = retryAfterMs(response);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof CountersignError) throw error;
      trouble = error;
    }
    const delay = Math.max(wait ?? 0, backoffDelay(policy, attempt));
    if (Date.now() - started + delay > policy.maxElapsedMs) throw giveUp(config.url, trouble);
    await sleep(delay, options.signal);
  }
}

function giveUp(url: string, trouble: unknown): CountersignError {
  // An answer the server gave (503, 429) keeps its own code; silence becomes `unavailable`.
  if (trouble instanceof CountersignError) return trouble;
  const cause = trouble instanceof Error ? (trouble.cause ?? trouble) : trouble;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new CountersignError('unavailable', `cannot reach Countersign at ${url}: ${detail}`, {
    cause: trouble,
  });
}
