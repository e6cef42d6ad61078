import type { ApprovalExtras, Delivery, Outcome, Queue, Refusal, ReviewOptions } from '@countersign/bot';
import {
  type ActionRequest,
  BreakGlassInput,
  CommentInput,
  FollowUpInput,
  ReviewInput,
  type StandingApproval,
} from '@countersign/shared';
import type { z } from 'zod';
import type { Actor } from '../context';
import { DomainError } from '../errors';
import { approverEmails, isRequesterHuman } from '../services/actions/access';
import { answerQuestion } from '../services/actions/answer-question';
import { breakGlass } from '../services/actions/break-glass';
import { findAction } from '../services/actions/find-action';
import { followUp } from '../services/actions/follow-up';
import { listStanding } from '../services/actions/list-standing';
import { reviewAction } from '../services/actions/review-action';
import { reviewOptions } from '../services/actions/review-options';
import { reviewQueue } from '../services/actions/review-queue';
import { revokeStanding } from '../services/actions/revoke-standing';
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
import { issuePairingCode } from '../services/pairing/pairing-codes';

/**
 * What every chat transport's port does the same way (Slack's and Teams'): the person verbs, each
 * checked by the API's own schema for it, with refusals as values the bot words; a request read as the
 * system sees it; the transport's outbox sink. Each port adds only what is its platform's.
 */

const SYSTEM: Actor = { kind: 'system', id: 'system:server' };

/** Domain refusals become values the bot can word; anything else is a real failure and propagates. */
async function outcome<T extends object>(run: () => Promise<T>): Promise<Outcome<T>> {
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
 * A chat's input checked by the API's own schema for that verb (a comment's 4,000 characters, a
 * break-glass reason's 20, well-formed text), then the verb; a refusal names the field at fault. A chat
 * form caps its inputs, but a submission is only a signed request, so the server checks again.
 */
function checked<S extends z.ZodType, T extends object>(
  schema: S,
  value: unknown,
  run: (input: z.infer<S>) => Promise<T>,
): Promise<Outcome<T>> {
  const input = schema.safeParse(value);
  return input.success
    ? outcome(() => run(input.data))
    : Promise.resolve(schemaRefusal(input.error, 'invalid input'));
}

type Settled = Promise<Outcome<{ request: ActionRequest }>>;

/** A review from a chat click or command, checked as POST /v1/actions/{id}/reviews checks it. */
function chatReview(
  core: Core,
  actor: Actor,
  id: string,
  review: {
    decision: 'approve' | 'deny' | 'ask';
    comment?: string | undefined;
    extras?: ApprovalExtras | undefined;
  },
): Settled {
  const { decision, comment, extras } = review;
  return checked(ReviewInput, { decision, ...(comment && { comment }), ...extras }, async (input) => ({
    request: await reviewAction({ ctx: { core, actor }, id, input }),
  }));
}

/** The requester's side answering a question, checked as POST /v1/actions/{id}/comments checks it. */
function chatAnswer(core: Core, actor: Actor, id: string, comment: string): Settled {
  return checked(CommentInput, { comment }, async (input) => ({
    request: await answerQuestion({ ctx: { core, actor }, id, input }),
  }));
}

/** Break-glass with a reason, checked as POST /v1/actions/{id}/break-glass checks it. */
function chatBreakGlass(core: Core, actor: Actor, id: string, reason: string): Settled {
  return checked(BreakGlassInput, { reason }, async (input) => ({
    request: await breakGlass({ ctx: { core, actor }, id, input }),
  }));
}

/** A follow-up's sign-off or flag, checked as POST /v1/actions/{id}/follow-up checks it. */
function chatFollowUp(
  core: Core,
  actor: Actor,
  id: string,
  decision: 'sign_off' | 'flag',
  comment?: string,
): Settled {
  return checked(FollowUpInput, { decision, ...(comment && { comment }) }, async (input) => ({
    request: await followUp({ ctx: { core, actor }, id, input }),
  }));
}

/** An approver revoking a standing approval (no input beyond its id). */
function chatRevokeStanding(
  core: Core,
  actor: Actor,
  id: string,
): Promise<Outcome<{ standing: StandingApproval }>> {
  return outcome(async () => ({ standing: await revokeStanding({ ctx: { core, actor }, id }) }));
}

/** The person's queue with the standing approvals they may see (App Home, `/approvals`, Teams' list). */
async function chatQueue(core: Core, actor: Actor): Promise<Queue> {
  const ctx = { core, actor };
  return { ...(await reviewQueue({ ctx })), standing: await listStanding({ ctx }) };
}

/**
 * The verbs a chat person calls, the same in every transport: each is one shared function above, acting
 * as the actor `actorOf` makes of the platform's person. A port spreads these and adds its platform's.
 */
export function chatVerbs<P>(core: Core, actorOf: (person: P) => Actor) {
  // The bot normalises emails already; should the core still refuse one, that is a refusal to word.
  const acting = async <T extends object>(
    person: P,
    verb: (actor: Actor) => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> => {
    const as = await outcome(async () => ({ actor: actorOf(person) }));
    return as.ok ? verb(as.actor) : as;
  };
  return {
    review: (
      person: P,
      id: string,
      decision: 'approve' | 'deny',
      comment?: string,
      extras?: ApprovalExtras,
    ) => acting(person, (actor) => chatReview(core, actor, id, { decision, comment, extras })),
    ask: (person: P, id: string, question: string) =>
      acting(person, (actor) => chatReview(core, actor, id, { decision: 'ask', comment: question })),
    answer: (person: P, id: string, comment: string) =>
      acting(person, (actor) => chatAnswer(core, actor, id, comment)),
    breakGlass: (person: P, id: string, reason: string) =>
      acting(person, (actor) => chatBreakGlass(core, actor, id, reason)),
    followUp: (person: P, id: string, decision: 'sign_off' | 'flag', comment?: string) =>
      acting(person, (actor) => chatFollowUp(core, actor, id, decision, comment)),
    revokeStanding: (person: P, id: string) => acting(person, (actor) => chatRevokeStanding(core, actor, id)),
    find: (person: P, idOrPrefix: string) =>
      acting(person, (actor) =>
        outcome(async () => ({ request: await findAction({ ctx: { core, actor }, idOrPrefix }) })),
      ),
    reviewOptions: (id: string): Promise<ReviewOptions | undefined> => reviewOptions(core, id),
    queue: async (person: P): Promise<Queue> => chatQueue(core, actorOf(person)),
    pairingCode: async (person: P) => issuePairingCode({ ctx: { core, actor: actorOf(person) } }),
    get: (id: string) => requestOf(core, id),
  };
}

/** Emails of everyone who may decide this request now, without the requester's side (who is never told to review it). */
export const decidersOf = (core: Core, request: ActionRequest): string[] =>
  approverEmails(core, request.approvers).filter(
    (email) => !isRequesterHuman(email, request.requester.id, request.requester.owner),
  );

/** The first issue the API's schema found, as the refusal a chat shows: the field at fault, then why. */
function schemaRefusal(
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
async function requestOf(core: Core, id: string): Promise<ActionRequest | undefined> {
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
    // As the webhook deliverer: on a local file, only this sink's own committed rows wake the drain;
    // nodes sharing a database wake on every change-feed event, which does not say what was written.
    onChange: (fn: () => void) =>
      core.database.isLocal ? core.events.onOutbox(sink, fn) : core.events.on('*', () => fn()),
  };
}
