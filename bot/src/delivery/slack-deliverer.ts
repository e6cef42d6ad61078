import type { ActionRequest } from '@countersign/shared';
import { type ChatPostMessageResponse, ErrorCode, type WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { questionReply } from '../blocks/answer';
import { breakGlassReply, followUpOpen } from '../blocks/follow-up';
import { requestMessage } from '../blocks/request-message';
import { breakGlassFacts, breakGlassNotice, outcomeNotice, threadReply } from '../blocks/thread-reply';
import type { Identity } from '../identity';
import type { ApprovalsPort, Delivery } from '../port';
import { blockedByReload } from '../present';
import { slackErrorText } from '../slack-error';
import type { HomeRefresher } from './home-refresher';
import { OutboxDrain } from './outbox-drain';
import { postRequestOnce } from './post-once';

const FINAL = new Set(['action.approved', 'action.denied', 'action.expired', 'action.cancelled']);

/** Which core events the Slack sink wants in its outbox. */
export const SLACK_EVENTS = new Set([
  'action.submitted',
  'review.recorded',
  'review.refused',
  // An approval that stopped counting: a thread line, and the card's "N of M" goes down.
  'review.discounted',
  // A policy reload re-bound a pending request (the card's approvers and count change) or blocked it.
  'action.rebound',
  // Ask before deciding: the question threaded to the requester's owner, and their answer.
  'action.question',
  'action.answered',
  // Break-glass: broadcast to the rule's channels and every approver; its follow-up signed off or flagged.
  'action.break_glass',
  'action.follow_up',
  ...FINAL,
]);

/**
 * Drains the Slack outbox: posts a request's message, threads its reviews, updates it in place when
 * settled and tells the requester. In order per request; a Slack 429 pauses every delivery until its
 * Retry-After, any other failure backs that delivery off. A Slack outage delays messages and never
 * blocks the API. Every delivery is claimed (leased to this node) before any Slack call, so several
 * nodes post each message once. A request's message survives a crash between Slack's answer and the
 * saved ts too (postRequestOnce: the retry finds it in the channel's history by its metadata). Thread
 * replies and DMs are at least once across a crash: a node killed after Slack accepted one but before
 * the delivery was recorded leaves it to another node after the lease, which sends it again
 * (docs/reliability.md, "Several nodes").
 */
export class SlackDeliverer {
  readonly #client: WebClient;
  readonly #port: ApprovalsPort;
  readonly #identity: Identity;
  readonly #home: HomeRefresher;
  readonly #log: Logger;
  readonly #defaultChannel: string | undefined;
  readonly #consoleUrl: string | undefined;
  readonly #drain: OutboxDrain;
  readonly #channelIds = new Map<string, string>();

  constructor(deps: {
    client: WebClient;
    port: ApprovalsPort;
    identity: Identity;
    home: HomeRefresher;
    log: Logger;
    defaultChannel?: string | undefined;
    consoleUrl?: string | undefined;
  }) {
    this.#client = deps.client;
    this.#port = deps.port;
    this.#identity = deps.identity;
    this.#home = deps.home;
    this.#log = deps.log;
    this.#defaultChannel = deps.defaultChannel;
    this.#consoleUrl = deps.consoleUrl;
    this.#drain = new OutboxDrain({
      sink: deps.port,
      deliver: (delivery) => this.#deliver(delivery),
      rateLimitedUntil: (error) => {
        const rateLimited = isRateLimited(error);
        return rateLimited ? Date.now() + rateLimited.retryAfter * 1000 : undefined;
      },
      describe,
      paused: 'Slack delivery',
      log: deps.log,
      failedMessage: 'Slack delivery failed; will retry',
    });
  }

  start(): void {
    this.#drain.start();
  }

  stop(): Promise<void> {
    return this.#drain.stop();
  }

  async #deliver(delivery: Delivery): Promise<void> {
    const request = await this.#port.get(delivery.actionId);
    if (!request) return;
    const mentions = await this.#identity.mentions([
      request.requester.id,
      ...(request.requester.owner ? [request.requester.owner] : []),
      ...request.reviews.map((r) => r.reviewer),
      ...(typeof delivery.payload.actor === 'string' ? [delivery.payload.actor] : []),
      ...(request.breakGlass?.by ? [request.breakGlass.by] : []),
      ...(request.breakGlass?.followUp?.by ? [request.breakGlass.followUp.by] : []),
    ]);
    const options = request.status === 'pending' ? await this.#port.reviewOptions(request.id) : undefined;
    const message = requestMessage(request, mentions, this.#consoleUrl, options);
    let ref = await this.#port.messageOf(request.id);
    if (delivery.event === 'action.submitted') {
      if (ref) return; // posted already: this is a retry after the post went through
      const channel = request.channel ?? this.#defaultChannel;
      if (!channel) {
        this.#log.warn(
          { actionId: request.id },
          'no Slack channel for this request: set the rule channel or SLACK_APPROVALS_CHANNEL',
        );
      } else {
        ref = await postRequestOnce({
          client: this.#client,
          port: this.#port,
          log: this.#log,
          channelIds: this.#channelIds,
          actionId: request.id,
          channel,
          message,
        });
      }
      await this.#home.refresh(homeAudience(this.#port, request));
      return;
    }
    // Before the thread reply: a retry after a failure here must not thread that reply a second time.
    if (delivery.event === 'action.follow_up') await this.#closeFollowUpPosts(request, mentions);
    if (ref) {
      const reply = threadReply(delivery.event, delivery.payload, request, mentions);
      if (reply) {
        // A question gets an Answer button, so the requester's side can answer without the API; a
        // break-glass gets Sign off and Flag…, so its approvers can close the follow-up where they read it.
        const content =
          delivery.event === 'action.question'
            ? questionReply(reply, request)
            : delivery.event === 'action.break_glass'
              ? breakGlassReply(reply, request, mentions)
              : { text: reply };
        const posted = await this.#client.chat.postMessage({
          channel: ref.channel,
          thread_ts: ref.ts,
          ...content,
        });
        if (delivery.event === 'action.break_glass') await this.#rememberFollowUpPost(request, posted);
      }
      await this.#client.chat.update({ channel: ref.channel, ts: ref.ts, ...message });
    }
    if (delivery.event === 'action.break_glass') await this.#broadcastBreakGlass(delivery, request, mentions);
    if (FINAL.has(delivery.event) || blockedByReload(delivery.event, request))
      await this.#notifyRequester(request, mentions);
    await this.#home.refresh(homeAudience(this.#port, request));
  }

  /**
   * Loudly, at once: each channel the rule names and every approver by DM. At least once across a
   * crash, like thread replies: a node killed mid-broadcast leaves it to another, which sends it again.
   */
  async #broadcastBreakGlass(
    delivery: Delivery,
    request: ActionRequest,
    mentions: Record<string, string>,
  ): Promise<void> {
    const text = breakGlassNotice(delivery.payload, request, mentions);
    for (const channel of request.breakGlass?.notify ?? []) {
      await this.#client.chat.postMessage({ channel, text });
    }
    for (const email of this.#port.deciders(request)) {
      const slackId = await this.#identity.slackIdOf(email);
      if (!slackId) continue; // not in this workspace: the audit log and the API still show it
      const dm = await this.#client.conversations.open({ users: slackId });
      // An approver's DM carries the follow-up buttons too: that is where most of them will read it.
      if (!dm.channel?.id) continue;
      const posted = await this.#client.chat.postMessage({
        channel: dm.channel.id,
        ...breakGlassReply(text, request, mentions),
      });
      await this.#rememberFollowUpPost(request, posted);
    }
  }

  /** A post that offers Sign off / Flag… is kept, so the follow-up's close can take its buttons away. */
  async #rememberFollowUpPost(request: ActionRequest, posted: ChatPostMessageResponse): Promise<void> {
    if (followUpOpen(request) && posted.channel && posted.ts)
      await this.#port.saveFollowUpPost(request.id, { channel: posted.channel, ts: posted.ts });
  }

  /**
   * The follow-up is closed (from Slack, Teams, the console or the API): every post that offered its
   * buttons is rewritten to say who closed it, how and when, without them, as a decided request's
   * message is. Each post is forgotten once rewritten, so a retry after a failure rewrites only the
   * rest. A post Slack will never let us rewrite (deleted, its channel archived) is logged and
   * forgotten, so it holds up neither the others nor the delivery; a transient failure (a 429, a 5xx)
   * fails the delivery, which is retried.
   */
  async #closeFollowUpPosts(request: ActionRequest, mentions: Record<string, string>): Promise<void> {
    if (followUpOpen(request)) return;
    const posts = await this.#port.followUpPostsOf(request.id);
    if (posts.length === 0) return;
    const content = breakGlassReply(
      breakGlassNotice(breakGlassFacts(request), request, mentions),
      request,
      mentions,
    );
    for (const post of posts) {
      try {
        await this.#client.chat.update({ channel: post.channel, ts: post.ts, ...content });
      } catch (error) {
        if (!refusedForGood(error)) throw error;
        this.#log.warn(
          { actionId: request.id, channel: post.channel, ts: post.ts, err: slackErrorText(error) },
          'Slack refused to rewrite a break-glass post without its follow-up buttons; leaving it as it is',
        );
      }
      await this.#port.forgetFollowUpPost(request.id, post);
    }
  }

  async #notifyRequester(request: ActionRequest, mentions: Record<string, string>): Promise<void> {
    const human = request.requester.id.startsWith('user:')
      ? request.requester.id.slice('user:'.length)
      : request.requester.owner;
    if (!human) return;
    const slackId = await this.#identity.slackIdOf(human);
    if (!slackId) return; // not in this Slack workspace: the API and webhooks still tell them
    const dm = await this.#client.conversations.open({ users: slackId });
    if (dm.channel?.id)
      await this.#client.chat.postMessage({ channel: dm.channel.id, text: outcomeNotice(request, mentions) });
  }
}

/**
 * Whose Home tab shows this request: the people who may decide it and the requester's side (the agent's
 * owner, or the person who asked). The deliverer refreshes them on each event; a click that changes
 * the request without queueing one (revoking a standing approval) refreshes the same people.
 */
export function homeAudience(port: Pick<ApprovalsPort, 'deciders'>, request: ActionRequest): string[] {
  const side = [
    request.requester.owner,
    request.requester.id.startsWith('user:') ? request.requester.id.slice('user:'.length) : undefined,
  ];
  return [...port.deciders(request), ...side.filter((e): e is string => Boolean(e))];
}

/**
 * Slack's answers to chat.update that say this one message can never be edited (deleted, its channel
 * archived or left): a retry would meet them again. Anything else (a revoked token, a missing scope, a
 * 5xx) may pass, and the delivery is retried rather than the post given up.
 */
const UNEDITABLE = new Set([
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'channel_not_found',
  'is_archived',
  'not_in_channel',
]);

function refusedForGood(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  if (error.code !== ErrorCode.PlatformError || !('data' in error)) return false;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null || !('error' in data)) return false;
  return typeof data.error === 'string' && UNEDITABLE.has(data.error);
}

function isRateLimited(error: unknown): { retryAfter: number } | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  if (error.code !== ErrorCode.RateLimitedError) return undefined;
  const retryAfter = 'retryAfter' in error && typeof error.retryAfter === 'number' ? error.retryAfter : 30;
  return { retryAfter };
}

const describe = slackErrorText;
