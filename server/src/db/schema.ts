import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** What a verified step-up showed: the method, when, and the IdP's acr/amr or the passkey used. */
export type StepUpEvidence = {
  method: 'mfa' | 'passkey';
  at: number;
  acr?: string;
  amr?: string[];
  credentialId?: string;
};

// Times are epoch milliseconds (integers): sortable, cheap to compare in SQL for expiry.

export const agents = sqliteTable('agents', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const users = sqliteTable(
  'users',
  {
    email: text('email').primaryKey(),
    slackUserId: text('slack_user_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('users_slack_user').on(t.slackUserId)],
);

export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  secretHash: text('secret_hash').notNull(),
  principal: text('principal').notNull(),
  scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
  label: text('label'),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
  /** After this instant the key authenticates no one (null: no expiry). */
  expiresAt: integer('expires_at'),
});

export const policies = sqliteTable('policies', {
  version: text('version').primaryKey(),
  file: text('file').notNull(),
  text: text('text').notNull(),
  loadedAt: integer('loaded_at').notNull(),
});

export const actions = sqliteTable(
  'actions',
  {
    id: text('id').primaryKey(),
    status: text('status').notNull(),
    action: text('action').notNull(),
    resource: text('resource'),
    environment: text('environment'),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>(),
    justification: text('justification'),
    source: text('source').notNull(),
    context: text('context', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    requesterId: text('requester_id').notNull(),
    requesterOwner: text('requester_owner'),
    keyId: text('key_id'),
    digest: text('digest').notNull(),
    ruleName: text('rule_name').notNull(),
    ruleEffect: text('rule_effect').notNull(),
    policyVersion: text('policy_version').notNull(),
    approvers: text('approvers', { mode: 'json' }).$type<string[]>().notNull(),
    requiredApprovals: integer('required_approvals').notNull(),
    receivedApprovals: integer('received_approvals').notNull().default(0),
    channel: text('channel'),
    /** The rule's Teams `<team>/<channel>`, if it names one. */
    teamsChannel: text('teams_channel'),
    /** The rule's `when:` that was true for this request (issue 16); null when the rule has none. */
    matchedCondition: text('matched_condition'),
    /** The rule's risk: low, medium, high or critical. */
    risk: text('risk'),
    /** 0 when the rule says `amend: false`: no reviewer may approve amended params. */
    amendAllowed: integer('amend_allowed').notNull().default(1),
    /** Set when a reviewer amended the params: what the requester submitted, and who amended when. */
    originalParams: text('original_params', { mode: 'json' }).$type<Record<string, unknown>>(),
    originalDigest: text('original_digest'),
    amendedBy: text('amended_by'),
    amendedAt: integer('amended_at'),
    /** The rule's break-glass at submission (channels as JSON, follow-up window); null when it has none. */
    breakGlassNotify: text('break_glass_notify', { mode: 'json' }).$type<string[]>(),
    breakGlassReviewMs: integer('break_glass_review_ms'),
    /** Set when the requester's side broke the glass: their reason, who and when. */
    breakGlassReason: text('break_glass_reason'),
    breakGlassBy: text('break_glass_by'),
    breakGlassAt: integer('break_glass_at'),
    /** The follow-up review of a break-glass: open, signed_off or flagged. */
    followUpStatus: text('follow_up_status'),
    followUpBy: text('follow_up_by'),
    followUpAt: integer('follow_up_at'),
    followUpComment: text('follow_up_comment'),
    /** The rule's `standing` at submission (null: exact digest binding only). */
    standingMaxMs: integer('standing_max_ms'),
    standingUses: integer('standing_uses'),
    /** The standing approval this request created, or the one that approved it at once. */
    standingId: text('standing_id'),
    /** What an approval needs besides the click (issue 14): `mfa` or `passkey`; null for none. */
    stepUp: text('step_up'),
    reason: text('reason'),
    grantTtlMs: integer('grant_ttl_ms').notNull(),
    callbackUrl: text('callback_url'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    decidedAt: integer('decided_at'),
  },
  (t) => [
    uniqueIndex('actions_idempotency').on(t.requesterId, t.idempotencyKey),
    index('actions_requester').on(t.requesterId, t.id),
    index('actions_owner').on(t.requesterOwner, t.id),
    index('actions_pending_expiry').on(t.status, t.expiresAt),
    index('actions_follow_up').on(t.followUpStatus),
  ],
);

/**
 * Standing approvals (issue 16): "this and the same again" — the same action by the same requester, on
 * `resource` (exact, or a glob a reviewer saw in full), until `expires_at`, for `uses_left` more requests.
 */
export const standingApprovals = sqliteTable(
  'standing_approvals',
  {
    id: text('id').primaryKey(),
    action: text('action').notNull(),
    /** A resource glob (path kind); null: requests without a resource. */
    resource: text('resource'),
    /** The environment of the request it came from; null: only requests without one (0024, 0025). */
    environment: text('environment'),
    requesterId: text('requester_id').notNull(),
    ruleName: text('rule_name').notNull(),
    /** The approver groups of the request it came from: who may revoke it. */
    approvers: text('approvers', { mode: 'json' }).$type<string[]>().notNull(),
    approvedBy: text('approved_by').notNull(),
    fromActionId: text('from_action_id').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usesLeft: integer('uses_left').notNull(),
    revokedAt: integer('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [index('standing_approvals_lookup').on(t.requesterId, t.action, t.expiresAt)],
);

/** Ask before deciding (issue 16): a reviewer's questions and the requester's answers on a request. */
export const actionComments = sqliteTable(
  'action_comments',
  {
    id: text('id').primaryKey(),
    actionId: text('action_id')
      .notNull()
      .references(() => actions.id),
    author: text('author').notNull(),
    /** `reviewer` (a question) or `requester` (an answer). */
    role: text('role').notNull(),
    body: text('body').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('action_comments_action').on(t.actionId, t.at)],
);

export const reviews = sqliteTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    actionId: text('action_id')
      .notNull()
      .references(() => actions.id),
    reviewer: text('reviewer').notNull(),
    decision: text('decision').notNull(),
    comment: text('comment'),
    via: text('via').notNull(),
    at: integer('at').notNull(),
    /** Set when the reviewer left the approver groups while the request was pending: it no longer counts. */
    discountedAt: integer('discounted_at'),
    discountedReason: text('discounted_reason'),
    /** The step-up this approval was made with: {method, at, acr?, amr?, credentialId?}. */
    stepUp: text('step_up', { mode: 'json' }).$type<StepUpEvidence>(),
  },
  // Each person counts once, even if two of their clicks race past the service's check. A discounted
  // review steps aside, so someone put back in the groups must consent afresh under the new policy.
  (t) => [
    uniqueIndex('reviews_one_per_reviewer').on(t.actionId, t.reviewer).where(sql`discounted_at IS NULL`),
  ],
);

export const grants = sqliteTable(
  'grants',
  {
    id: text('id').primaryKey(),
    actionId: text('action_id')
      .notNull()
      .references(() => actions.id),
    tokenHash: text('token_hash').notNull(),
    digest: text('digest').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    redeemedAt: integer('redeemed_at'),
    /** The Idempotency-Key of the redeem that spent it: a retry with the same key gets the same answer. */
    redeemKey: text('redeem_key'),
    /** The API key that spent it: a replay is answered only to that same key. */
    redeemKeyId: text('redeem_key_id'),
  },
  (t) => [uniqueIndex('grants_token_hash').on(t.tokenHash), uniqueIndex('grants_action').on(t.actionId)],
);

export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey(),
    at: text('at').notNull(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    subject: text('subject'),
    data: text('data').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_subject').on(t.subject), index('audit_type').on(t.type, t.seq)],
);

/**
 * Work for the transports (the Slack bot, webhooks), written in the same transaction as the change it
 * announces, so a crash can delay a message but never lose it. Delivered at least once, in id order
 * per request.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    sink: text('sink').notNull(),
    actionId: text('action_id').notNull(),
    event: text('event').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    deliveredAt: integer('delivered_at'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    /** The node delivering it now, until `leaseUntil`: several nodes share one outbox. */
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
  },
  (t) => [index('outbox_due').on(t.sink, t.deliveredAt, t.nextAttemptAt)],
);

/** Where a request's Slack message lives, so updates and thread replies find it after a restart. */
export const slackMessages = sqliteTable('slack_messages', {
  actionId: text('action_id').primaryKey(),
  channel: text('channel').notNull(),
  ts: text('ts').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Teams the bot is installed in (from its install event): where a rule's `<team>/<channel>` lives. */
export const teamsTeams = sqliteTable('teams_teams', {
  teamId: text('team_id').primaryKey(),
  name: text('name').notNull(),
  serviceUrl: text('service_url').notNull(),
  tenantId: text('tenant_id'),
  updatedAt: integer('updated_at').notNull(),
});

/** Who a person is in Teams, learnt when they first act there: how to reach them in a 1:1 chat. */
export const teamsUsers = sqliteTable('teams_users', {
  email: text('email').primaryKey(),
  teamsUserId: text('teams_user_id').notNull(),
  aadObjectId: text('aad_object_id').notNull(),
  serviceUrl: text('service_url').notNull(),
  tenantId: text('tenant_id'),
  updatedAt: integer('updated_at').notNull(),
});

/** Where a request's Teams card lives, so updates and thread replies find it after a restart. */
export const teamsMessages = sqliteTable('teams_messages', {
  actionId: text('action_id').primaryKey(),
  conversationId: text('conversation_id').notNull(),
  activityId: text('activity_id').notNull(),
  serviceUrl: text('service_url').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** One row each node rewrites on `/readyz`: proof that a write can still commit (disk full, read-only). */
export const readinessProbe = sqliteTable('readiness_probe', {
  id: integer('id').primaryKey(),
  node: text('node').notNull(),
  at: integer('at').notNull(),
});

/** One-time codes from `/approvals connect`, exchanged once for a personal extension key. */
export const pairingCodes = sqliteTable('pairing_codes', {
  codeHash: text('code_hash').primaryKey(),
  email: text('email').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});

/**
 * A signed-in person in the web console. The cookie carries a random token; only its hash is stored,
 * so a stolen database row signs no one in. Ended rows stay as the record of who was signed in when.
 */
export const consoleSessions = sqliteTable(
  'console_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    email: text('email').notNull(),
    via: text('via').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    endedAt: integer('ended_at'),
    endedReason: text('ended_reason'),
  },
  (t) => [index('console_sessions_email').on(t.email, t.endedAt)],
);

/** One-time console sign-in links from `countersign login --user` (hash only; 10 minutes, single use). */
export const loginLinks = sqliteTable('login_links', {
  tokenHash: text('token_hash').primaryKey(),
  email: text('email').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});

/** The identity provider's subject pinned to an email on first sign-in: a recycled address is refused. */
export const idpSubjects = sqliteTable(
  'idp_subjects',
  {
    email: text('email').primaryKey(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('idp_subjects_subject').on(t.issuer, t.subject)],
);

/**
 * People as the identity provider provisions them over SCIM. A deleted user keeps its row (with
 * `deletedAt`) so the person stays deprovisioned: SCIM no longer shows it, but their keys, reviews
 * and agents stay refused until the provider creates them afresh. Unique names are partial indexes on
 * the live rows, written in 0012_scim.sql.
 */
export const scimUsers = sqliteTable(
  'scim_users',
  {
    id: text('id').primaryKey(),
    userName: text('user_name').notNull(),
    externalId: text('external_id'),
    /** The normalised work email: the person Countersign knows (keys, reviews, agent owners). */
    email: text('email').notNull(),
    displayName: text('display_name'),
    active: integer('active', { mode: 'boolean' }).notNull(),
    /** The attributes as last provisioned (name, emails …), returned to the provider as given. */
    resource: text('resource', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('scim_users_email').on(t.email)],
);

export const scimGroups = sqliteTable('scim_groups', {
  id: text('id').primaryKey(),
  /** What the policy names: `approvers: [idp:"SRE On-Call"]` (compared without letter case). */
  displayName: text('display_name').notNull(),
  externalId: text('external_id'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const scimGroupMembers = sqliteTable(
  'scim_group_members',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => scimGroups.id),
    userId: text('user_id')
      .notNull()
      .references(() => scimUsers.id),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('scim_group_members_user').on(t.userId)],
);

/**
 * One step-up, from the click that started it to the approval that used it (issue 14). It counts only
 * for its person and request, within five minutes of being verified, and once (`used_at`).
 */
export type StepUpPurpose = 'approve' | 'break_glass';

export const stepUps = sqliteTable(
  'step_ups',
  {
    id: text('id').primaryKey(),
    person: text('person').notNull(),
    actionId: text('action_id')
      .notNull()
      .references(() => actions.id),
    method: text('method').notNull(),
    /** What it was made for: approving the request, or breaking its glass; it counts for nothing else. */
    purpose: text('purpose').$type<StepUpPurpose>().notNull().default('approve'),
    startedAt: integer('started_at').notNull(),
    /** The WebAuthn challenge a passkey must sign (null for MFA, whose nonce lives in the OIDC round). */
    challenge: text('challenge'),
    /** The comment typed with the Approve click (or a break-glass's reason), used once the step-up is done. */
    comment: text('comment'),
    verifiedAt: integer('verified_at'),
    evidence: text('evidence', { mode: 'json' }).$type<StepUpEvidence>(),
    usedAt: integer('used_at'),
  },
  (t) => [index('step_ups_person').on(t.person, t.actionId)],
);

/** Passkeys people registered in the console (WebAuthn credentials), for `stepUp: passkey`. */
export const passkeys = sqliteTable(
  'passkeys',
  {
    /** The credential id, base64url. */
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull(),
    transports: text('transports', { mode: 'json' }).$type<string[]>().notNull(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('passkeys_email').on(t.email)],
);
