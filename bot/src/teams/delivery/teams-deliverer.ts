import type { ActionRequest } from '@countersign/shared';
import { Activity } from '@microsoft/agents-activity';
import { type ConnectorClient, HttpError } from '@microsoft/agents-hosting';
import type { Logger } from 'pino';
import { OutboxDrain } from '../../delivery/outbox-drain';
import type { Delivery, ReviewOptions } from '../../port';
import { blockedByReload } from '../../present';
import {
  cardAttachment,
  outcomeNotice,
  requestCard,
  threadAttachment,
  threadText,
} from '../cards/request-card';
import { BOT_SCOPE, type TeamsConfig } from '../config';
import type { EntraTokens } from '../entra-token';
import type { CardRef, TeamsPort } from '../port';
import {
  BREAK_GLASS_NOTICE,
  closeApproverCards,
  queueApproverCards,
  sendApproverCard,
} from './break-glass-cards';
import { connectorClient, sendOneToOne } from './one-to-one';

const FINAL = new Set(['action.approved', 'action.denied', 'action.expired', 'action.cancelled']);

/** Which core events the Teams sink wants in its outbox (the same as Slack's). */
export const TEAMS_EVENTS = new Set([
  'action.submitted',
  'review.recorded',
  'review.refused',
  // A policy reload re-bound a pending request (the card's approvers and count change) or blocked it.
  'action.rebound',
  // Issue 16: questions and answers, break-glass and its follow-up, threaded under the card.
  'action.question',
  'action.answered',
  'action.break_glass',
  'action.follow_up',
  ...FINAL,
]);

/** Teams asked us to slow down: nothing more until `until`. */
class RateLimited extends Error {
  constructor(readonly until: number) {
    super('Teams answered 429');
  }
}

/**
 * Drains the Teams outbox the way the Slack deliverer drains Slack's: claimed (leased) deliveries in
 * order per request; posts the card to the rule's channel, replies in its thread, replaces the card
 * when anything changes (buttons gone once decided) and tells the requester in a 1:1 chat. A 429
 * pauses every delivery until its Retry-After; any other failure backs that delivery off.
 */
export class TeamsDeliverer {
  readonly #drain: OutboxDrain;

  constructor(
    private readonly deps: { port: TeamsPort; tokens: EntraTokens; config: TeamsConfig; log: Logger },
  ) {
    this.#drain = new OutboxDrain({
      sink: deps.port,
      deliver: (delivery) => this.#deliver(delivery),
      rateLimitedUntil: rateLimit,
      describe,
      paused: 'Teams delivery',
      log: deps.log,
      failedMessage: 'Teams delivery failed; will retry',
    });
  }

  start(): void {
    this.#drain.start();
  }

  stop(): Promise<void> {
    return this.#drain.stop();
  }

  #client(serviceUrl: string): Promise<ConnectorClient> {
    return connectorClient(this.deps.tokens, serviceUrl);
  }

  #message(request: ActionRequest, review: ReviewOptions | undefined, compact = false): Activity {
    const card = requestCard(request, { consoleUrl: this.deps.config.publicUrl, compact, review });
    return Activity.fromObject({
      type: 'message',
      summary: `Approval needed: ${request.action}`.slice(0, 200),
      attachments: [cardAttachment(card)],
    });
  }

  /**
   * Sends the card; when Teams refuses it as too large (413), once more without the request's long
   * text. Refused again, it is logged and given up: retrying the same bytes would only be refused again.
   */
  async #withCard<T>(
    request: ActionRequest,
    send: (message: Activity) => Promise<T>,
  ): Promise<T | undefined> {
    // What the rule allows besides a plain approval decides which forms the card offers.
    const review = request.status === 'pending' ? await this.deps.port.reviewOptions(request.id) : undefined;
    try {
      return await send(this.#message(request, review));
    } catch (error) {
      if (!tooLarge(error)) throw error;
    }
    this.deps.log.warn(
      { actionId: request.id },
      'Teams refused the card as too large (413); sending it without the justification and params',
    );
    try {
      return await send(this.#message(request, review, true));
    } catch (error) {
      if (!tooLarge(error)) throw error;
      this.deps.log.error(
        { actionId: request.id },
        'Teams refused even the compact card as too large (413); this card is not sent and not retried. The request is decided through the API, the console or the CLI.',
      );
      return undefined;
    }
  }

  async #deliver(delivery: Delivery): Promise<void> {
    const { port } = this.deps;
    const request = await port.get(delivery.actionId);
    if (!request) return;
    if (delivery.event === BREAK_GLASS_NOTICE) return sendApproverCard(this.deps, delivery, request);
    // Before the thread reply and the card update, and each idempotent: a retry of this delivery after
    // either failed queues no approver's card twice, nor rewrites one already rewritten.
    if (delivery.event === 'action.break_glass') await queueApproverCards(this.deps, delivery, request);
    if (delivery.event === 'action.follow_up') await closeApproverCards(this.deps, delivery, request);
    let ref = await port.cardOf(request.id);
    if (delivery.event === 'action.submitted') {
      if (ref) return; // posted already: a retry after the post went through
      const where = await this.#channel(request.id);
      if (!where) return;
      const client = await this.#client(where.serviceUrl);
      const posted = await this.#withCard(request, (message) =>
        client.sendToConversation(where.conversationId, message),
      );
      if (!posted) return;
      ref = { conversationId: where.conversationId, activityId: posted.id, serviceUrl: where.serviceUrl };
      await port.saveCard(request.id, ref);
      return;
    }
    if (ref) {
      const client = await this.#client(ref.serviceUrl);
      const reply = threadText(delivery.event, delivery.payload, request);
      const card = reply ? threadAttachment(delivery.event, reply, request) : undefined;
      if (reply)
        await client.replyToActivity(
          ref.conversationId,
          ref.activityId,
          Activity.fromObject(
            card
              ? { type: 'message', attachments: [card] }
              : { type: 'message', text: reply, textFormat: 'markdown' },
          ),
        );
      // The one who can answer may not read the approvals channel: the question reaches them 1:1 too.
      // Best effort: a retry of this delivery would post the thread reply, already sent, once more.
      if (card)
        await this.#tellRequester(request, { type: 'message', attachments: [card] }).catch((error: unknown) =>
          this.deps.log.warn(
            { actionId: request.id, err: describe(error) },
            'could not send a question to the requester 1:1; it is in the card thread',
          ),
        );
      const { conversationId, activityId } = ref;
      await this.#withCard(request, (update) => {
        update.id = activityId;
        return client.updateActivity(conversationId, activityId, update);
      });
    }
    if (FINAL.has(delivery.event) || blockedByReload(delivery.event, request))
      await this.#tellRequester(request, { type: 'message', text: outcomeNotice(request) });
  }

  /** The rule's `<team>/<channel>` (or the default) → the channel's conversation id, by name. */
  async #channel(actionId: string): Promise<{ conversationId: string; serviceUrl: string } | undefined> {
    const named = (await this.deps.port.teamsChannelOf(actionId)) ?? this.deps.config.defaultChannel;
    if (!named) return undefined;
    const [teamName = '', channelName = ''] = named.split('/');
    const team = await this.deps.port.teamNamed(teamName);
    if (!team) {
      this.deps.log.warn(
        { actionId, team: teamName },
        'no Teams team of that name has the Countersign app installed',
      );
      return undefined;
    }
    const token = await this.deps.tokens.token(BOT_SCOPE);
    const url = `${team.serviceUrl.replace(/\/+$/, '')}/v3/teams/${encodeURIComponent(team.teamId)}/conversations`;
    const answer = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (answer.status === 429) throw new RateLimited(retryAt(answer.headers.get('retry-after')));
    if (!answer.ok) throw new Error(`Teams channel list: HTTP ${answer.status}`);
    const { conversations = [] } = (await answer.json()) as {
      conversations?: { id: string; name?: string | null }[];
    };
    // The General channel has no name in this list; its id is the team's id.
    const channel = conversations.find(
      (c) => (c.name ?? 'General').toLowerCase() === channelName.toLowerCase(),
    );
    if (!channel) {
      this.deps.log.warn(
        { actionId, team: teamName, channel: channelName },
        'no Teams channel of that name in the team',
      );
      return undefined;
    }
    return { conversationId: channel.id, serviceUrl: team.serviceUrl };
  }

  /** A 1:1 message to the requester, or the agent's owner, if they have talked to the bot. */
  async #tellRequester(request: ActionRequest, message: Record<string, unknown>): Promise<void> {
    const human = request.requester.id.startsWith('user:')
      ? request.requester.id.slice('user:'.length)
      : request.requester.owner;
    if (human) await sendOneToOne(this.deps, human, message);
  }
}

const retryAt = (header: string | null): number =>
  Date.now() + (Number(header) > 0 ? Number(header) : 30) * 1000;

function rateLimit(error: unknown): number | undefined {
  if (error instanceof RateLimited) return error.until;
  if (error instanceof HttpError && error.status === 429)
    return retryAt(error.response.headers.get('retry-after'));
  return undefined;
}

const tooLarge = (error: unknown): boolean => error instanceof HttpError && error.status === 413;

function describe(error: unknown): string {
  if (error instanceof HttpError) return `HTTP ${error.status}`;
  return error instanceof Error ? error.message : String(error);
}

export type { CardRef };
