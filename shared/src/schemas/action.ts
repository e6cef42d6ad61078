import { z } from 'zod';
import { jsonObject, text } from './json';
import { resource } from './resource';

/** True when an http(s) URL names a user or password before its host. */
const hasUserinfo = (url: string): boolean => {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false; // not a URL at all: the url check above says so
  }
};

export const ACTION_STATUSES = [
  'pending',
  'approved',
  'denied',
  'expired',
  'cancelled',
  'allowed',
  'blocked',
] as const;
export const ActionStatus = z.enum(ACTION_STATUSES).meta({ id: 'ActionStatus' });
export type ActionStatus = z.infer<typeof ActionStatus>;

export const ActionSource = z.enum(['api', 'sdk', 'cli', 'extension', 'mcp']).meta({ id: 'ActionSource' });
export type ActionSource = z.infer<typeof ActionSource>;

// Bounded everywhere: these strings end up in Slack messages, audit rows and log lines. Free text
// must be well-formed Unicode, or it has no canonical JSON to hash.

export const SubmitActionInput = z
  .strictObject({
    action: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.:/-]+$/, 'letters, digits and . _ : / - only'),
    resource: resource().optional(),
    environment: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\w.:-]+$/, 'letters, digits and . _ : - only')
      .meta({
        description: 'When the policy declares `environments`, one of them; others are refused with 400.',
      })
      .optional(),
    params: jsonObject().optional(),
    justification: text().max(4000).optional(),
    source: ActionSource.optional(),
    context: jsonObject().optional(),
    callbackUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      // Credentials in the URL would be sent to the receiver and logged on every retry; fetch refuses
      // such URLs outright, so the delivery could never succeed.
      .refine((url) => !hasUserinfo(url), 'must not carry a user name or password (user:pass@)')
      .meta({
        description:
          'Where the settled request is POSTed, signed. Its host must be on COUNTERSIGN_WEBHOOK_HOSTS; no user:pass@.',
      })
      .optional(),
  })
  .meta({ id: 'SubmitAction' });
export type SubmitActionInput = z.infer<typeof SubmitActionInput>;

export const ReviewInput = z
  .strictObject({
    /** `ask`: a question for the requester instead of a decision (needs `comment`; stays pending). */
    decision: z.enum(['approve', 'deny', 'ask']),
    comment: text().min(1).max(4000).optional(),
    /** Approve an amended action: the request's params become these, and the grant binds to them. */
    amend: z.strictObject({ params: jsonObject() }).optional(),
    /**
     * The digest of the version of the request this decision was made on. When it is not the
     * request's digest any more (someone amended it since), the review is refused (409
     * `request_changed`) and nothing counts: an approval holds only for what its reviewer saw.
     */
    digest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex>')
      .meta({
        description:
          'The digest of the version decided on; 409 request_changed when it is no longer current.',
      })
      .optional(),
    /**
     * Approve "this and the same again": the same action by the same requester, on this resource or
     * a narrower pattern (`resource`, a glob that must match this request's resource), for `for`
     * (a duration such as 30m) and at most `uses` more requests, within the rule's `standing`.
     */
    standing: z
      .strictObject({
        for: z.string().regex(/^(?:\d+(?:ms|s|m|h|d))+$/, 'a duration such as 30m or 1h'),
        uses: z.number().int().min(1).max(10_000),
        resource: z.string().min(1).max(1000).optional(),
      })
      .optional(),
  })
  .refine((input) => input.standing === undefined || input.decision === 'approve', {
    message: 'only an approval may be a standing approval',
    path: ['standing'],
  })
  .refine((input) => input.standing === undefined || !input.amend, {
    message: 'a standing approval approves the action as submitted: it cannot amend it',
    path: ['standing'],
  })
  .refine((input) => input.amend === undefined || input.decision === 'approve', {
    message: 'only an approval may amend the action',
    path: ['amend'],
  })
  .refine((input) => input.decision !== 'ask' || (input.comment ?? '').trim() !== '', {
    message: 'a question needs a comment',
    path: ['comment'],
  })
  .meta({ id: 'ReviewInput' });
export type ReviewInput = z.infer<typeof ReviewInput>;

/** The requester's answer to a reviewer's question (POST /v1/actions/{id}/comments). */
export const CommentInput = z.strictObject({ comment: text().min(1).max(4000) }).meta({ id: 'CommentInput' });
export type CommentInput = z.infer<typeof CommentInput>;

// What a reader sees in a character: a letter, number, punctuation or symbol. Combining marks alone,
// format characters (zero-width spaces, joiners, bidi marks), controls and spaces show nothing.
const SEEN = /[\p{L}\p{N}\p{P}\p{S}]/u;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * How many characters of a text a reader sees: 21 zero-width spaces are no reason, nor is padding,
 * nor "a" under 25 combining marks (one character drawn, 26 code points), so the break-glass minimum
 * counts grapheme clusters that hold something seen: an emoji, "é" as e + U+0301, a Hangul syllable
 * spelt in jamo and a family joined by ZWJs are one each.
 */
export function visibleLength(value: string): number {
  let seen = 0;
  for (const { segment } of graphemes.segment(value)) if (SEEN.test(segment)) seen++;
  return seen;
}

/** The break-glass reason's minimum, in visible characters (visibleLength). */
export const BREAK_GLASS_MIN_REASON = 20;

/** Break-glass: the requester's side approves its own request where the rule allows it. */
export const BreakGlassInput = z
  .strictObject({
    reason: text()
      .refine(
        (r) => visibleLength(r) >= BREAK_GLASS_MIN_REASON,
        `at least ${BREAK_GLASS_MIN_REASON} characters: say why no approver could be reached`,
      )
      .pipe(z.string().max(4000)),
  })
  .meta({ id: 'BreakGlassInput' });
export type BreakGlassInput = z.infer<typeof BreakGlassInput>;

export const StandingApproval = z
  .object({
    id: z.string(),
    action: z.string(),
    resource: z.string().optional(),
    /** The environment it covers (that of the request it came from); absent: only requests without one. */
    environment: z.string().optional(),
    requester: z.string(),
    rule: z.string(),
    by: z.string(),
    createdAt: z.string(),
    until: z.string(),
    usesLeft: z.number().int(),
    fromRequest: z.string(),
    revoked: z.object({ by: z.string(), at: z.string() }).optional(),
  })
  .meta({ id: 'StandingApproval' });
export type StandingApproval = z.infer<typeof StandingApproval>;

/** The follow-up review of a break-glass: an approver signs it off or flags it (flagging says why). */
export const FollowUpInput = z
  .strictObject({ decision: z.enum(['sign_off', 'flag']), comment: text().min(1).max(4000).optional() })
  .refine((input) => input.decision !== 'flag' || (input.comment ?? '').trim() !== '', {
    message: 'flagging needs a comment saying what was wrong',
    path: ['comment'],
  })
  .meta({ id: 'FollowUpInput' });
export type FollowUpInput = z.infer<typeof FollowUpInput>;

export const RedeemInput = z
  .strictObject({
    token: z.string().min(1).max(200),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex>'),
  })
  .meta({ id: 'RedeemInput' });
export type RedeemInput = z.infer<typeof RedeemInput>;

export const ReviewVia = z.enum(['api', 'slack', 'extension', 'cli', 'console', 'teams']);
export type ReviewVia = z.infer<typeof ReviewVia>;

export const Review = z
  .object({
    reviewer: z.string(),
    decision: z.enum(['approve', 'deny']),
    comment: z.string().optional(),
    via: ReviewVia,
    at: z.string(),
    /** Present when this approval no longer counts: its reviewer left the approver groups while pending. */
    discounted: z.object({ at: z.string(), reason: z.string() }).optional(),
    /** The fresh authentication this approval was made with, when its rule asks for a step-up. */
    stepUp: z
      .object({
        method: z.enum(['mfa', 'passkey']),
        at: z.string(),
        acr: z.string().optional(),
        amr: z.array(z.string()).optional(),
        credentialId: z.string().optional(),
      })
      .optional(),
  })
  .meta({ id: 'Review' });
export type Review = z.infer<typeof Review>;

export const Requester = z.object({ id: z.string(), owner: z.string().optional() });
export type Requester = z.infer<typeof Requester>;

export const ActionRequest = z
  .object({
    id: z.string(),
    status: ActionStatus,
    action: z.string(),
    resource: z.string().optional(),
    environment: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    justification: z.string().optional(),
    source: ActionSource,
    context: z.record(z.string(), z.unknown()),
    requester: Requester,
    digest: z.string(),
    rule: z.object({ name: z.string(), effect: z.enum(['allow', 'deny', 'review']) }),
    /**
     * Why the rule decided: its name and, when it has a `when:`, the condition that was true, or
     * (with `error`) the condition that could not be evaluated, read as matching to be safe.
     */
    matched: z.object({ rule: z.string(), condition: z.string().optional(), error: z.string().optional() }),
    /** Present when a reviewer approved amended params: the request's params and digest are these now. */
    amended: z
      .object({
        params: z.record(z.string(), z.unknown()),
        digest: z.string(),
        by: z.string(),
        at: z.string(),
        /** What the requester submitted, before the amendment. */
        original: z.object({ params: z.record(z.string(), z.unknown()).optional(), digest: z.string() }),
      })
      .optional(),
    /** Questions reviewers asked (`role: reviewer`) and the requester's answers (`role: requester`), in order. */
    comments: z
      .array(
        z.object({
          author: z.string(),
          role: z.enum(['reviewer', 'requester']),
          comment: z.string(),
          at: z.string(),
        }),
      )
      .optional(),
    /**
     * Present when the rule allows break-glass: `available` until used; once used, who broke it, why
     * and when, and the follow-up review (open until an approver signs it off or flags it).
     */
    breakGlass: z
      .object({
        notify: z.array(z.string()),
        reviewWithinMs: z.number().int(),
        reason: z.string().optional(),
        by: z.string().optional(),
        at: z.string().optional(),
        followUp: z
          .object({
            status: z.enum(['open', 'signed_off', 'flagged']),
            dueAt: z.string(),
            by: z.string().optional(),
            at: z.string().optional(),
            comment: z.string().optional(),
          })
          .optional(),
      })
      .optional(),
    /** Standing approvals: the one this request created, or the one that approved it at once. */
    standing: z
      .object({
        id: z.string(),
        by: z.string(),
        action: z.string(),
        resource: z.string().optional(),
        /** The environment it covers (that of the request that created it); absent: requests without one. */
        environment: z.string().optional(),
        until: z.string(),
        usesLeft: z.number().int(),
        revoked: z.object({ by: z.string(), at: z.string() }).optional(),
        /** `created`: this request's review created it; `used`: it approved this request at once. */
        role: z.enum(['created', 'used']),
      })
      .optional(),
    /** The deciding rule's risk, when it names one. */
    risk: z.enum(['low', 'medium', 'high', 'critical']).optional(),
    /** What an approval of this request needs besides the click: a fresh MFA sign-in or a passkey. */
    stepUp: z.enum(['mfa', 'passkey']).optional(),
    policyVersion: z.string(),
    approvals: z.object({ required: z.number().int(), received: z.number().int() }),
    approvers: z.array(z.string()),
    channel: z.string().optional(),
    /**
     * Where reviewers were told of a request that needs review: one entry per chat transport the
     * server runs (Slack and its channel). Empty when none is configured: reviewers then approve
     * through POST /v1/actions/{id}/reviews (or the console). Absent on other requests.
     */
    notified: z.array(z.object({ transport: z.string(), channel: z.string().optional() })).optional(),
    reviews: z.array(Review),
    reason: z.string().optional(),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
    decidedAt: z.string().optional(),
    grant: z.object({ token: z.string(), expiresAt: z.string() }).optional(),
  })
  .meta({ id: 'ActionRequest' });
export type ActionRequest = z.infer<typeof ActionRequest>;

export const ActionList = z
  .object({ items: z.array(ActionRequest), nextCursor: z.string().nullable() })
  .meta({ id: 'ActionList' });
export type ActionList = z.infer<typeof ActionList>;
