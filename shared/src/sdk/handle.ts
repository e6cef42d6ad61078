import { actionDigest } from '../digest';
import type { ActionRequest } from '../schemas/action';
import { CountersignError, refusalOf } from './errors';
import { randomKey } from './random-key';
import { call, type TransportConfig } from './transport';

export type WaitOptions = {
  /** Stops waiting (the request stays pending; `cancel()` withdraws it). */
  signal?: AbortSignal | undefined;
  /** Called with the request's current state, then again each time its status or reviews change. */
  onUpdate?: ((request: ActionRequest) => void) | undefined;
  /**
   * Called once for each question a reviewer asks while the request is pending (ask before
   * deciding). Answer with `handle.answer(text)`; the request stays pending meanwhile.
   */
  onQuestion?: ((question: Question) => void) | undefined;
};

/** A reviewer's question about a pending request. */
export type Question = { author: string; comment: string; at: string };

/** The server's answer to a redeem: the grant is spent and the action may run now. */
export type Redeemed = { ok: true; actionId: string; grantId: string };

// A long-poll answers within `pollSeconds`; give the connection this much more before calling it hung.
const POLL_SLACK_MS = 15_000;

/** One submitted request: wait for its decision, withdraw it, or spend its grant. */
export class ActionHandle {
  readonly #transport: TransportConfig;
  readonly #pollSeconds: number;
  #request: ActionRequest;
  #redeemKey: string | undefined;
  /** The digest computed here from what was submitted; the grant must be bound to exactly this. */
  readonly digest: string;

  constructor(transport: TransportConfig, request: ActionRequest, digest: string, pollSeconds: number) {
    this.#transport = transport;
    this.#request = request;
    this.digest = digest;
    this.#pollSeconds = pollSeconds;
  }

  #boundDigest(accept: boolean): Promise<string> {
    if (this.#request.digest === this.digest) return Promise.resolve(this.digest);
    return amendedDigest(this.#request, this.digest, accept);
  }

  get id(): string {
    return this.#request.id;
  }

  /** The request as last seen from the server. */
  get request(): ActionRequest {
    return this.#request;
  }

  #path(suffix = ''): string {
    return `/v1/actions/${encodeURIComponent(this.#request.id)}${suffix}`;
  }

  /** Reads the request once. */
  async refresh(signal?: AbortSignal): Promise<ActionRequest> {
    this.#request = await call<ActionRequest>(this.#transport, { method: 'GET', path: this.#path(), signal });
    return this.#request;
  }

  /**
   * Resolves with the request once it is approved or allowed (its grant not yet spent); rejects with
   * ActionDenied, ActionBlocked, ActionExpired or ActionCancelled otherwise. Long-polls the server, and
   * rides out network trouble and server restarts with backoff: reads are safe to repeat.
   */
  async wait(options: WaitOptions = {}): Promise<ActionRequest> {
    let seen = '';
    let asked = 0;
    const report = (request: ActionRequest) => {
      const comments = request.comments ?? [];
      for (const c of comments.slice(asked))
        if (c.role === 'reviewer') options.onQuestion?.({ author: c.author, comment: c.comment, at: c.at });
      asked = Math.max(asked, comments.length);
      const stamp = `${request.status}|${request.approvals.received}|${request.reviews.length}|${comments.length}`;
      if (stamp === seen) return;
      seen = stamp;
      options.onUpdate?.(request);
    };
    report(this.#request);
    while (this.#request.status === 'pending') {
      this.#request = await call<ActionRequest>(this.#transport, {
        method: 'GET',
        path: this.#path(`?wait=${this.#pollSeconds}`),
        signal: options.signal,
        attemptTimeoutMs: this.#pollSeconds * 1000 + POLL_SLACK_MS,
      });
      report(this.#request);
    }
    const refusal = refusalOf(this.#request);
    if (refusal) throw refusal;
    return this.#request;
  }

  /** Answers a reviewer's question; the request stays pending. */
  async answer(comment: string, options: { signal?: AbortSignal } = {}): Promise<ActionRequest> {
    this.#request = await call<ActionRequest>(this.#transport, {
      method: 'POST',
      path: this.#path('/comments'),
      body: { comment },
      signal: options.signal,
    });
    return this.#request;
  }

  /** Withdraws the pending request. `signal` bounds how long it keeps trying through network trouble. */
  async cancel(options: { signal?: AbortSignal } = {}): Promise<ActionRequest> {
    const { signal } = options;
    try {
      this.#request = await call<ActionRequest>(this.#transport, {
        method: 'POST',
        path: this.#path('/cancel'),
        signal,
      });
    } catch (error) {
      // A retry after a lost answer finds the request already cancelled (by us): that is success.
      if (!(error instanceof CountersignError) || error.code !== 'not_pending') throw error;
      if ((await this.refresh(signal)).status !== 'cancelled') throw error;
    }
    return this.#request;
  }

  /**
   * Spends the grant. Refuses, before asking the server, when the server's digest of the request is
   * not the one computed here: a grant for something else is not consent for this. A lost answer is
   * retried; if the retry finds the grant already spent, that is an error (`grant_used`), never a
   * guess that the first attempt went through.
   */
  async redeem(options: RedeemOptions = {}): Promise<Redeemed> {
    if (!this.#request.grant) await this.refresh();
    const grant = this.#request.grant;
    if (!grant) {
      const refusal = refusalOf(this.#request);
      if (refusal) throw refusal;
      const pending = this.#request.status === 'pending';
      throw new CountersignError(
        pending ? 'not_approved' : 'grant_unavailable',
        pending
          ? `${this.id} is still pending: nothing to redeem yet`
          : `${this.id} has no usable grant (already redeemed, or it expired)`,
      );
    }
    const digest = await this.#boundDigest(options.acceptAmended === true);
    // Retries of this call carry one key: if an answer is lost, the server answers the retry the same
    // way instead of refusing a grant this very call already spent.
    this.#redeemKey ??= randomKey();
    const redeemed = await call<Redeemed>(this.#transport, {
      method: 'POST',
      path: '/v1/grants/redeem',
      body: { token: grant.token, digest },
      headers: { 'idempotency-key': this.#redeemKey },
    });
    if (redeemed.ok !== true || redeemed.actionId !== this.id || typeof redeemed.grantId !== 'string') {
      throw new CountersignError('bad_response', `the redeem answer does not confirm ${this.id}`);
    }
    this.#request = { ...this.#request, grant: undefined };
    return redeemed;
  }
}

/**
 * Amend, then approve: a reviewer may approve amended params, and the grant is bound to those. It is
 * accepted only when asked for, and only when both digests check out here: the original is the one
 * computed when submitting, and the amended one is that same action with the amended params.
 */
export type RedeemOptions = { acceptAmended?: boolean | undefined };

export async function amendedDigest(request: ActionRequest, local: string, accept: boolean): Promise<string> {
  const amended = request.amended;
  if (!amended || amended.original.digest !== local || amended.digest !== request.digest)
    throw digestMismatch(request, local);
  if (!accept) {
    throw new CountersignError(
      'amended',
      `${request.id} was approved with amended params by ${amended.by}; this caller did not accept amendments (acceptAmended), so the action does not run`,
    );
  }
  const fields = { action: request.action, resource: request.resource, environment: request.environment };
  if ((await actionDigest({ ...fields, params: amended.original.params })) !== local)
    throw digestMismatch(request, local);
  const recomputed = await actionDigest({ ...fields, params: amended.params });
  if (recomputed !== amended.digest) throw digestMismatch(request, recomputed);
  return amended.digest;
}

export function digestMismatch(request: ActionRequest, local: string): CountersignError {
  return new CountersignError(
    'digest_mismatch',
    `the server's digest of ${request.id} (${request.digest}) is not the digest of the action submitted (${local}); refusing to use its grant`,
  );
}
