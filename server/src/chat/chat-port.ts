import type { ApprovalExtras, Delivery, Outcome, Refusal } from '@countersign/bot';
import { type ActionRequest, ReviewInput } from '@countersign/shared';
import type { Actor } from '../context';
import { DomainError } from '../errors';
import { reviewAction } from '../services/actions/review-action';
import { loadAction } from '../services/actions/rows';
import { toActionRequest } from '../services/actions/view';
import type { Core } from '../services/core';
import {
  claimDeliveries,
  markDelivered,
  markFailed,
  nextDueAt,
  type OutboxItem,
  releaseDeliveries,
} from '../services/outbox/deliveries';

/**
 * What every chat transport's port does the same way (Slack's and Teams'): refusals as values the bot
 * words, reviews through the API's own schema, a request read as the system sees it, and the
 * transport's outbox sink. Each port adds only what is its platform's.
 */

const SYSTEM: Actor = { kind: 'system', id: 'system:server' };

/** Domain refusals become values the bot can word; anything else is a real failure and propagates. */
export async function outcome<T extends object>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    // The field at fault, where the core names one, lets a modal put the refusal beside that input.
    const field = error instanceof DomainError ? error.details?.[0]?.path : undefined;
    if (error instanceof DomainError)
      return { ok: false, code: error.code, message: error.message, ...(field && { field }) };
    throw error;
  }
}

/**
 * A review from a chat click or command, checked by the same schema as POST /v1/actions/{id}/reviews
 * (a comment's length, amended params' size and depth); a refusal names the field at fault.
 */
export function chatReview(
  core: Core,
  actor: Actor,
  id: string,
  review: {
    decision: 'approve' | 'deny' | 'ask';
    comment?: string | undefined;
    extras?: ApprovalExtras | undefined;
  },
): Promise<Outcome<{ request: ActionRequest }>> {
  const { decision, comment, extras } = review;
  const input = ReviewInput.safeParse({ decision, ...(comment && { comment }), ...extras });
  if (!input.success) return Promise.resolve(schemaRefusal(input.error, 'invalid review'));
  return outcome(async () => ({
    request: await reviewAction({ ctx: { core, actor }, id, input: input.data }),
  }));
}

/** The first issue the API's schema found, as the refusal a chat shows: the field at fault, then why. */
export function schemaRefusal(
  error: { issues: { path: PropertyKey[]; message: string }[] },
  fallback: string,
): Refusal & { ok: false } {
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.map(String).join('.') : undefined;
  return {
    ok: false,
    code: 'invalid_request',
    message: `${field ? `${field}: ` : ''}${issue?.message ?? fallback}`,
    ...(field && { field }),
  };
}

/** A request as the system sees it (for rendering a message or card), or undefined. */
export async function requestOf(core: Core, id: string): Promise<ActionRequest | undefined> {
  const loaded = await loadAction(core.database.db, id);
  return loaded ? toActionRequest(core, loaded, SYSTEM) : undefined;
}

const toDelivery = (item: OutboxItem): Delivery => ({
  id: item.id,
  actionId: item.actionId,
  event: item.event,
  payload: item.payload,
  attempts: item.attempts,
});

/** One chat sink's side of the leased outbox, as the bot's OutboxDrain uses it. */
export function outboxSink(core: Core, sink: string) {
  return {
    due: async (limit: number) => (await claimDeliveries(core, sink, limit)).map(toDelivery),
    nextDueAt: () => nextDueAt(core, sink),
    delivered: (id: string) => markDelivered(core, id),
    failed: (delivery: Delivery, error: string, retryAt?: number) =>
      markFailed(core, delivery, error, retryAt),
    release: (ids: string[]) => releaseDeliveries(core, ids),
    onChange: (fn: (actionId: string) => void) => core.events.on('*', fn),
  };
}
