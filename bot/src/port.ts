import type { ActionRequest, StandingApproval } from '@countersign/shared';
import type { OutboxSink } from './delivery/outbox-drain';

/** A person acting in Slack, identified by the email Slack holds for them. */
export type SlackPerson = { slackUserId: string; email: string };

/** `field`: the input at fault, where the core names one (`standing.resource`), for a modal's field error. */
export type Refusal = { code: string; message: string; field?: string };
export type Outcome<T> = ({ ok: true } & T) | ({ ok: false } & Refusal);

/** One notification the core queued for Slack, in the transaction of the change it announces. */
export type Delivery = {
  id: string;
  actionId: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
};

/** Where a request's message lives in Slack. */
export type MessageRef = { channel: string; ts: string };

/**
 * What this request's rule lets a reviewer do besides approving it as submitted: amend its params
 * first, or approve "this and the same again" for at most `maxMs` and `uses` (issue 16).
 */
export type ReviewOptions = { amend: boolean; standing?: { maxMs: number; uses: number } };

/** An approval's extras: amended params, or a standing approval (never both; the core checks). */
export type ApprovalExtras = {
  amend?: { params: Record<string, unknown> };
  /** `resource`: a glob covering the request's own resource; without it, only that exact resource. */
  standing?: { for: string; uses: number; resource?: string };
  /** The digest of the version the clicked message or card showed: a stale one is refused (`request_changed`). */
  digest?: string;
};

export type Queue = {
  reviewable: ActionRequest[];
  mine: ActionRequest[];
  decided: ActionRequest[];
  /** Break-glass approvals whose follow-up review is still open, for the approvers to sign off or flag. */
  followUps?: ActionRequest[];
  /** Follow-ups of their groups closed lately, latest first: shown with who closed them, without buttons. */
  closedFollowUps?: ActionRequest[];
  /** Live standing approvals the person may see (and, as an approver, revoke). */
  standing?: StandingApproval[];
};

/**
 * Everything the bot needs from the approval core, and nothing more. The server implements it over
 * its service verbs; the bot never sees the database. Every decision goes through `review`, the same
 * verb the HTTP API calls, so every rule that never bends holds in Slack too.
 */
export interface ApprovalsPort extends OutboxSink {
  review(
    person: SlackPerson,
    id: string,
    decision: 'approve' | 'deny',
    comment?: string,
    extras?: ApprovalExtras,
  ): Promise<Outcome<{ request: ActionRequest }>>;
  /** A reviewer's question instead of a decision (the review verb's `ask`); the request stays pending. */
  ask(person: SlackPerson, id: string, question: string): Promise<Outcome<{ request: ActionRequest }>>;
  /** The requester's side approving its own request, with a reason, where the rule allows break-glass. */
  breakGlass(person: SlackPerson, id: string, reason: string): Promise<Outcome<{ request: ActionRequest }>>;
  /** An approver closing a break-glass's follow-up review: signed off, or flagged with a comment. */
  followUp(
    person: SlackPerson,
    id: string,
    decision: 'sign_off' | 'flag',
    comment?: string,
  ): Promise<Outcome<{ request: ActionRequest }>>;
  /** An approver revoking a live standing approval of their groups. */
  revokeStanding(person: SlackPerson, id: string): Promise<Outcome<{ standing: StandingApproval }>>;
  /** The requester's side answering a reviewer's question; the request stays pending. */
  answer(person: SlackPerson, id: string, comment: string): Promise<Outcome<{ request: ActionRequest }>>;
  /** What the request's rule allows besides a plain approval; undefined for an unknown request. */
  reviewOptions(id: string): Promise<ReviewOptions | undefined>;
  /** A request the person may see, by full id or unique prefix (`act_01J…`, or without `act_`). */
  find(person: SlackPerson, idOrPrefix: string): Promise<Outcome<{ request: ActionRequest }>>;
  queue(person: SlackPerson): Promise<Queue>;
  /** A one-time code that pairs the person's browser extension (`/approvals connect`). */
  pairingCode(person: SlackPerson): Promise<{ code: string; expiresAt: string }>;
  /** Any request, as the system sees it (for rendering messages). */
  get(id: string): Promise<ActionRequest | undefined>;
  /** Emails of everyone who may decide this request now (excluding the requester's side). */
  deciders(request: ActionRequest): string[];

  messageOf(actionId: string): Promise<MessageRef | undefined>;
  saveMessage(actionId: string, ref: MessageRef): Promise<void>;
  /**
   * Records "posting this request's message since now" before the post is made. `earlier` says an
   * attempt was claimed before and its ts never recorded (a crash between Slack's answer and the
   * save): the message may exist, so look for it from `since` (ms) before posting again.
   */
  claimPost(actionId: string, channel: string): Promise<{ since: number; earlier: boolean }>;
  /**
   * The messages offering a break-glass's Sign off / Flag… (its thread post, each approver's DM), kept
   * until the follow-up closes and each is rewritten without its buttons, then forgotten one by one.
   */
  saveFollowUpPost(actionId: string, ref: MessageRef): Promise<void>;
  followUpPostsOf(actionId: string): Promise<MessageRef[]>;
  forgetFollowUpPost(actionId: string, ref: MessageRef): Promise<void>;
  /** Remembers which Slack user a person is, so Home tabs and mentions can find them. */
  linkSlackUser(person: SlackPerson): Promise<void>;
  slackUserIdOf(email: string): Promise<string | undefined>;
  /** The `@handles` of Slack user groups named in the policy, and where to put their members. */
  slackGroupHandles(): string[];
  setSlackGroup(handle: string, emails: string[]): void;
}
