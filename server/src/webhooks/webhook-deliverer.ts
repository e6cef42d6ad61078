import { KickLoop } from '@countersign/shared';
import { signWebhook } from '@countersign/shared/sdk';
import { type Agent, fetch } from 'undici';
import type { Actor } from '../context';
import { loadAction } from '../services/actions/rows';
import { toActionRequest } from '../services/actions/view';
import { passFailuresOf } from '../services/background/pass-failures-of';
import type { Core } from '../services/core';
import { webhookSecret } from '../services/grants/tokens';
import {
  claimDeliveries,
  markAbandoned,
  markDelivered,
  markFailed,
  nextDueAt,
  type OutboxItem,
  releaseDeliveries,
} from '../services/outbox/deliveries';
import { listedAddresses } from './callback-hosts';
import { BlockedDestination, safeDispatcher } from './safe-dispatcher';

export const WEBHOOK_SINK = 'webhook';

/** A delivery that no retry can make succeed: abandoned at once, with this reason logged and kept. */
class Undeliverable extends Error {}

/**
 * The stored callbackUrl as something fetch may call. Rows stored before submissions with userinfo
 * were refused (issue 9) can still carry `user:password@`: fetch refuses such a URL on every
 * attempt, so it is abandoned rather than retried 300 times, and the credentials are never sent.
 */
function callable(callbackUrl: string): URL {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    throw new Undeliverable('the callbackUrl is not a valid URL');
  }
  if (url.username || url.password)
    throw new Undeliverable('the callbackUrl carries userinfo (user:password@), which is never sent');
  return url;
}
/** A request's settling events: what its callbackUrl hears of. */
export const WEBHOOK_EVENTS = new Set([
  'action.approved',
  'action.denied',
  'action.expired',
  'action.cancelled',
  // The requester broke the glass: the request is approved, its grant issued, as by an approval.
  'action.break_glass',
  // A reload re-bound a pending request or blocked it: only the block is sent (#deliver).
  'action.rebound',
]);

const TIMEOUT_MS = 10_000;
// Retries back off to 5 minutes each; after this many a receiver is taken to be gone for good.
const MAX_ATTEMPTS = 300;
const SYSTEM: Actor = { kind: 'system', id: 'system:server' };

/**
 * Posts a settled request to its callbackUrl, signed with the requesting key's webhook secret
 * (`X-Countersign-Signature: v1=HMAC-SHA256(secret, "v1:" + timestamp + ":" + body)`). Deliveries
 * come from the outbox, so they survive restarts; each is retried with backoff until a 2xx. Each is
 * leased to one node while it is attempted, so several nodes deliver it once between them (twice
 * only when a node dies between the receiver's 2xx and recording it).
 */
export class WebhookDeliverer {
  readonly #core: Core;
  readonly #loop: KickLoop;
  readonly #dispatcher: Agent;
  /** Aborts the posts still waiting on a receiver when a stopping server's grace runs out. */
  readonly #stopping = new AbortController();
  #unsubscribe: (() => void) | undefined;

  constructor(core: Core) {
    this.#core = core;
    this.#dispatcher = safeDispatcher(listedAddresses(core.callbackHosts));
    const failures = passFailuresOf(core, 'webhook deliveries');
    this.#loop = new KickLoop({
      pass: () => this.#pass(),
      nextDueAt: () => nextDueAt(core, WEBHOOK_SINK),
      onError: failures.failed,
      onPassed: failures.succeeded,
    });
  }

  start(): void {
    const nudge = () => this.#loop.nudge();
    // A local file has one writer, this process: it hears of every webhook row it commits, and of
    // nothing else it needs. Nodes sharing a database hear of each other's rows only through the
    // change feed's events, which do not say what was written: there, every change wakes it.
    this.#unsubscribe = this.#core.database.isLocal
      ? this.#core.events.onOutbox(WEBHOOK_SINK, nudge)
      : this.#core.events.on('*', nudge);
    this.#loop.kick();
  }

  /**
   * Starts no delivery after this, and resolves once the ones in flight are recorded: shutdown closes
   * the database next. A receiver still silent after `graceMs` is cut off, and its delivery recorded
   * as a failed attempt, retried after the restart (never lost, never left leased).
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.#unsubscribe?.();
    const cutoff = setTimeout(
      () => this.#stopping.abort(new Error('the server stopped before the receiver answered')),
      graceMs,
    );
    try {
      await this.#loop.stop();
    } finally {
      clearTimeout(cutoff);
      await this.#dispatcher.close();
    }
  }

  async #pass(): Promise<void> {
    while (!this.#loop.stopped) {
      const due = await claimDeliveries(this.#core, WEBHOOK_SINK, 20);
      if (due.length === 0) return;
      if (this.#loop.stopped) {
        // Stopped while claiming: give them back rather than let them wait for their lease to run out.
        await releaseDeliveries(
          this.#core,
          due.map((item) => item.id),
        );
        return;
      }
      // Receivers are independent: one slow endpoint must not hold up the others.
      await Promise.all(due.map((item) => this.#attempt(item)));
    }
  }

  async #attempt(item: OutboxItem): Promise<void> {
    const core = this.#core;
    try {
      await this.#deliver(item);
      await markDelivered(core, item.id);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const blocked =
        error instanceof Error && error.cause instanceof BlockedDestination ? error.cause : undefined;
      // A private destination will not stop being one, nor will a URL that cannot be called: give up
      // at once rather than retry for hours.
      const permanent = error instanceof Undeliverable ? error : blocked;
      if (permanent || item.attempts + 1 >= MAX_ATTEMPTS) {
        const why = permanent?.message ?? `${MAX_ATTEMPTS} attempts failed; the last: ${reason}`;
        core.log.error({ deliveryId: item.id, actionId: item.actionId, reason: why }, 'webhook abandoned');
        await markAbandoned(core, item.id, why);
        return;
      }
      const at = await markFailed(core, item, reason);
      core.log.warn(
        { deliveryId: item.id, actionId: item.actionId, reason, retryAt: new Date(at).toISOString() },
        'webhook delivery failed; will retry',
      );
    }
  }

  async #deliver(item: OutboxItem): Promise<void> {
    const loaded = await loadAction(this.#core.database.db, item.actionId);
    if (!loaded?.row.callbackUrl || !loaded.row.keyId) return; // nothing to call: done
    // A callback is told of a decision; a request a reload re-bound is still waiting for one.
    if (item.event === 'action.rebound' && loaded.row.status === 'pending') return;
    const target = callable(loaded.row.callbackUrl);
    const body = JSON.stringify(toActionRequest(this.#core, loaded, SYSTEM));
    const signed = await signWebhook({ secret: webhookSecret(this.#core.secret, loaded.row.keyId), body });
    const response = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Countersign-Webhook/1',
        'x-countersign-event': item.event,
        // Lets a receiver drop the duplicates that at-least-once delivery can produce.
        'x-countersign-delivery': item.id,
        ...signed.headers,
      },
      body,
      redirect: 'manual', // a redirect could lead the server to a host the allow-list never named
      signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), this.#stopping.signal]),
      dispatcher: this.#dispatcher,
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status >= 300)
      throw new Error(`the receiver answered ${response.status}`);
  }
}
