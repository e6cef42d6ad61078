import type { Fault, JsonObject } from './types';

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: JsonObject;
  /** Run the method first, then answer with this failure. */
  afterHandling?: boolean;
}

/** Queued failures per method, consumed one per call. */
export class FaultQueue {
  readonly #queues = new Map<string, Fault[]>();

  add(method: string, fault: Fault, count: number): void {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`failNext count must be a positive integer, got ${count}`);
    if ('retryAfter' in fault && (!Number.isInteger(fault.retryAfter) || fault.retryAfter < 0)) {
      throw new Error(`retryAfter must be a whole number of seconds, got ${fault.retryAfter}`);
    }
    const queue = this.#queues.get(method) ?? [];
    for (let i = 0; i < count; i += 1) queue.push(fault);
    this.#queues.set(method, queue);
  }

  /** The response for the next queued fault on this method, if any (and consumes it). */
  take(method: string): FaultResponse | undefined {
    const fault = this.#queues.get(method)?.shift();
    if (fault === undefined) return undefined;
    if ('error' in fault) return { status: 200, headers: {}, body: { ok: false, error: fault.error } };
    if (fault.status === 429) {
      // Slack answers a rate-limited call with HTTP 429 and the wait in seconds in Retry-After
      // (https://docs.slack.dev/apis/web-api/rate-limits); @slack/web-api reads only the header.
      return {
        status: 429,
        headers: { 'retry-after': String(fault.retryAfter) },
        body: { ok: false, error: 'ratelimited' },
      };
    }
    return {
      status: fault.status,
      headers: {},
      body: { ok: false, error: 'internal_error' },
      ...(fault.afterHandling && { afterHandling: true }),
    };
  }

  pending(method: string): number {
    return this.#queues.get(method)?.length ?? 0;
  }

  reset(): void {
    this.#queues.clear();
  }
}
