import { actionDigest } from '../digest';
import type { ActionRequest, SubmitActionInput } from '../schemas/action';
import { unsafeNumber } from '../strict-json';
import { type RetryOptions, retryPolicy } from './backoff';
import { CountersignError } from './errors';
import { ActionHandle, digestMismatch, type Redeemed, type WaitOptions } from './handle';
import { randomKey } from './random-key';
import { call, type FetchLike, type TransportConfig } from './transport';

/** What an agent is about to do: the body of `POST /v1/actions`. `source` defaults to "sdk". */
export type ActionInput = SubmitActionInput;

export type CountersignOptions = {
  /** The server, e.g. `https://countersign.example.com`. */
  url: string;
  /** An API key with the `actions:write` scope. */
  key: string;
  /** Network trouble is retried with backoff within this budget (per outage). */
  retry?: RetryOptions;
  /** How long one long-poll may wait for a decision, 1–60 s. Default 30. */
  pollSeconds?: number;
  /** Another fetch (a proxy, instrumentation). Defaults to the global one. */
  fetch?: FetchLike;
};

export type RequestOptions = {
  /** Makes re-submitting the same action after a crash return the same request. Default: random. */
  idempotencyKey?: string;
  /** Stops the submission (while it retries). */
  signal?: AbortSignal;
  /** This submission's own retry budget. */
  retry?: RetryOptions;
};

// Withdrawing is a courtesy to reviewers: worth a few seconds, not the whole retry budget.
const CANCEL_TIMEOUT_MS = 5_000;

/**
 * What the guarded function receives: the spent grant, the request it was for, and the params to act
 * on: the reviewer's amended ones when the action was approved amended (`acceptAmended`).
 */
export type Grant = Redeemed & { request: ActionRequest; params: Record<string, unknown> | undefined };

/** Whether `guard` may run the function with params a reviewer amended (default: it refuses). */
export type GuardOptions = { acceptAmended?: boolean | undefined };

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

export class Countersign {
  readonly #transport: TransportConfig;
  readonly #pollSeconds: number;

  constructor(options: CountersignOptions) {
    const url = parseUrl(options.url);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new TypeError(`Countersign url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
    if (!options.key) throw new TypeError('Countersign key is empty');
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    this.#transport = {
      url: options.url,
      key: options.key,
      fetch: fetchImpl,
      retry: retryPolicy(options.retry),
    };
    this.#pollSeconds = Math.min(60, Math.max(1, Math.round(options.pollSeconds ?? 30)));
  }

  /**
   * Submits an action and returns its handle. The policy may already have decided it (allowed,
   * blocked); otherwise it is pending review. A submission cut off by network trouble is retried
   * with the same Idempotency-Key, so the server records it once.
   */
  async request(action: ActionInput, options: RequestOptions = {}): Promise<ActionHandle> {
    // One JSON round trip: what is hashed here is exactly what the server will parse and hash.
    const input = JSON.parse(JSON.stringify({ ...action, source: action.source ?? 'sdk' })) as ActionInput;
    // JSON.stringify prints every double exactly, but past ±(2^53−1) the server refuses it: say so
    // here, before a key is spent on a request that cannot succeed.
    const unsafe = unsafeNumber(input);
    if (unsafe)
      throw new CountersignError('invalid_request', `${unsafe.path}: ${unsafe.message}`, {
        details: [unsafe],
      });
    const digest = await actionDigest(input);
    const request = await call<ActionRequest>(this.#transport, {
      method: 'POST',
      path: '/v1/actions',
      body: input,
      headers: { 'idempotency-key': options.idempotencyKey ?? randomKey() },
      signal: options.signal,
      retry: options.retry ? retryPolicy(options.retry, this.#transport.retry) : undefined,
    });
    const handle = new ActionHandle(this.#transport, request, digest, this.#pollSeconds);
    if (request.digest !== digest) {
      // Something between here and the server changed the action: reviewers would judge another one.
      if (request.status === 'pending')
        await handle.cancel({ signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) }).catch(() => undefined);
      throw digestMismatch(request, digest);
    }
    return handle;
  }

  /**
   * A handle on a request submitted earlier (by this process before a restart, say), from the request
   * as last seen and the digest computed locally when it was submitted. Its grant is only spent if the
   * server's digest is still that one.
   */
  resume(request: ActionRequest, digest: string): ActionHandle {
    return new ActionHandle(this.#transport, request, digest, this.#pollSeconds);
  }

  /**
   * Requests the action, waits for the decision, spends the grant, and only then runs `fn`, returning
   * its result. Throws ActionDenied, ActionBlocked, ActionExpired or ActionCancelled when the action may
   * not run, and CountersignError when the server cannot be reached or the grant cannot be spent: in
   * every such case `fn` has not run. Aborting `signal` withdraws a pending request.
   */
  async guard<T>(
    action: ActionInput,
    fn: (grant: Grant) => T | Promise<T>,
    options: RequestOptions & WaitOptions & GuardOptions = {},
  ): Promise<T> {
    const handle = await this.request(action, options);
    try {
      await handle.wait(options);
    } catch (error) {
      if (options.signal?.aborted && handle.request.status === 'pending')
        await handle.cancel({ signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) }).catch(() => undefined);
      throw error;
    }
    const redeemed = await handle.redeem({ acceptAmended: options.acceptAmended });
    const request = handle.request;
    return fn({ ...redeemed, request, params: request.amended ? request.amended.params : request.params });
  }
}
