import type { ActionRequest, StandingApproval } from '@countersign/shared';
import type { OutboxSink } from '../delivery/outbox-drain';
import type { ApprovalExtras, Delivery, Outcome, Queue, ReviewOptions } from '../port';

/** A person acting in Teams: the email Microsoft Graph holds for their Entra object id. */
export type TeamsPerson = {
  aadObjectId: string;
  email: string;
  /** Their Teams user id (`29:…`) and the service that reaches them: for a 1:1 chat later. */
  teamsUserId: string;
  serviceUrl: string;
  tenantId?: string | undefined;
};

/** Where a request's card lives in Teams. */
export type CardRef = { conversationId: string; activityId: string; serviceUrl: string };

/** A team the bot is installed in (from its install event). */
export type TeamRef = { teamId: string; name: string; serviceUrl: string; tenantId?: string | undefined };

/** How to reach a person in a 1:1 chat. */
export type TeamsUserRef = { teamsUserId: string; serviceUrl: string; tenantId?: string | undefined };

type Settled = Promise<Outcome<{ request: ActionRequest }>>;

/**
 * The approval core as the Teams bot sees it: the same verbs the Slack bot and the HTTP API call
 * (review with its extras, ask and answer, break-glass and its follow-up, standing approvals, find,
 * queue, pairing), its own outbox sink (drained like Slack's), and where its cards and people are.
 */
export interface TeamsPort extends OutboxSink {
  review(
    person: TeamsPerson,
    id: string,
    decision: 'approve' | 'deny',
    comment?: string,
    extras?: ApprovalExtras,
  ): Settled;
  /** A reviewer's question instead of a decision; the request stays pending. */
  ask(person: TeamsPerson, id: string, question: string): Settled;
  /** The requester's side answering a reviewer's question; the request stays pending. */
  answer(person: TeamsPerson, id: string, comment: string): Settled;
  /** The requester's side approving its own request, where the rule allows break-glass. */
  breakGlass(person: TeamsPerson, id: string, reason: string): Settled;
  /** An approver signs off or flags a break-glass's follow-up review. */
  followUp(person: TeamsPerson, id: string, decision: 'sign_off' | 'flag', comment?: string): Settled;
  revokeStanding(person: TeamsPerson, standingId: string): Promise<Outcome<{ standing: StandingApproval }>>;
  /** What the request's rule allows besides a plain approval; undefined for an unknown request. */
  reviewOptions(id: string): Promise<ReviewOptions | undefined>;
  find(person: TeamsPerson, idOrPrefix: string): Promise<Outcome<{ request: ActionRequest }>>;
  queue(person: TeamsPerson): Promise<Queue>;
  pairingCode(person: TeamsPerson): Promise<{ code: string; expiresAt: string }>;
  get(id: string): Promise<ActionRequest | undefined>;
  /** The rule's `teams:` channel for this request, if it named one. */
  teamsChannelOf(actionId: string): Promise<string | undefined>;
  /** Emails of everyone who may decide this request now (excluding the requester's side). */
  deciders(request: ActionRequest): string[];
  /**
   * Queues `event` once for each of `to`, as deliveries of their own after `parent` (payload: the
   * parent's, plus `to`): each is leased and retried alone, and a retry of `parent` queues none twice.
   */
  queueNotices(parent: Delivery, event: string, to: readonly string[]): Promise<void>;
  /**
   * The 1:1 cards offering a break-glass's Sign off / Flag… to approvers, kept until the follow-up
   * closes and each is rewritten without its buttons, then forgotten one by one.
   */
  saveFollowUpCard(actionId: string, ref: CardRef): Promise<void>;
  followUpCardsOf(actionId: string): Promise<CardRef[]>;
  forgetFollowUpCard(actionId: string, ref: CardRef): Promise<void>;

  cardOf(actionId: string): Promise<CardRef | undefined>;
  saveCard(actionId: string, ref: CardRef): Promise<void>;
  linkTeamsUser(person: TeamsPerson): Promise<void>;
  teamsUserOf(email: string): Promise<TeamsUserRef | undefined>;
  saveTeam(team: TeamRef): Promise<void>;
  teamNamed(name: string): Promise<TeamRef | undefined>;
}
