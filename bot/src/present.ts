import type { ActionRequest } from '@countersign/shared';
import { conditionInWords } from '@countersign/shared/policy';

/**
 * What every chat transport says the same way, whatever its markup: the masked params, the sentence a
 * refused review shows, the outcome of a request, and which button answers a question or closes a
 * break-glass's follow-up. Slack (Block Kit mrkdwn) and Teams (Adaptive
 * Cards) each pass their own way of naming a person and quoting a request's text.
 */

export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential|auth|session|cookie/i;
// Credential shapes, found anywhere in a value (a command line can carry a key among its words).
const SECRET_VALUE =
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|\b(?:xox[abprs]|ghp|gho|glpat|sk|csk|csg|whsec)[-_][A-Za-z0-9_-]{8,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;

/** A copy of `value` with secret-looking entries masked: by key name, or by a value that looks like a credential. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (typeof value === 'string') return value.replace(SECRET_VALUE, '••••••');
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '••••••' : maskSecrets(v, depth + 1)]),
    );
  }
  return value;
}

/** A compact, masked, bounded preview of the params, for a code block. */
export function paramsPreview(params: Record<string, unknown> | undefined, max = 900): string | undefined {
  if (!params || Object.keys(params).length === 0) return undefined;
  return truncate(
    JSON.stringify(maskSecrets(params), null, 1).replaceAll('\n', ' ').replace(/\s+/g, ' '),
    max,
  );
}

/** Why the core refused someone's review, in a sentence about them (`name` already formatted). */
const REFUSED: Record<string, (name: string) => string> = {
  self_approval: (name) => `${name} can't review this request: it is their own, or their own agent's.`,
  not_an_approver: (name) => `${name} can't review this request: they are not in its approver groups.`,
  already_reviewed: (name) => `${name} has already reviewed this request; each person counts once.`,
  not_pending: (name) => `${name} tried to review, but the request was already decided.`,
  expired: (name) => `${name} tried to review, but the request had expired.`,
};

export function refusalSentence(code: string, name: string, quote: (text: string) => string): string {
  return (REFUSED[code] ?? ((n: string) => `${n}'s review was refused (${quote(code)}).`))(name);
}

/**
 * An approval that stopped counting (the reviewer left the approver groups, or was deprovisioned):
 * "bob's approval no longer counts (no longer in the approver groups of this request): 0 of 2 approvals."
 * `reason` is the core's words; `quote` makes it inert in the transport's markup.
 */
export function discountedSentence(
  name: string,
  reason: string,
  approvals: { received: number; required: number } | undefined,
  quote: (text: string) => string,
): string {
  const why = reason ? ` (${quote(reason)})` : '';
  const count = approvals ? `: ${approvals.received} of ${approvals.required} approvals.` : '.';
  return `${name}'s approval no longer counts${why}${count}`;
}

/**
 * A policy reload held a pending request to its new rule (`action.rebound`): blocked, or re-bound to
 * other approvers or another quorum. Read from the request as it is now; `quote` makes the policy's
 * names inert in the transport's markup.
 */
export function reboundSentence(request: ActionRequest, quote: (text: string) => string): string {
  const rule = quote(request.rule.name);
  if (request.status === 'blocked')
    return `The policy was reloaded: its rule ${rule} now blocks this request.`;
  const { required } = request.approvals;
  const groups = request.approvers.map(quote).join(', ');
  return `The policy was reloaded: this request now follows its rule ${rule}, and needs ${required} approval${required === 1 ? '' : 's'} from ${groups}.`;
}

/** A reload blocked a pending request: its requester hears of it as of any other outcome. */
export const blockedByReload = (event: string, request: ActionRequest): boolean =>
  event === 'action.rebound' && request.status === 'blocked';

/** Why a request was held, in words: "params.rows is more than 10000" (absent when its rule has no condition). */
export function conditionWords(request: ActionRequest): string | undefined {
  const condition = request.matched?.condition;
  if (condition === undefined) return undefined;
  const error = request.matched?.error;
  // Failed closed: the condition was not true, it could not be read at all.
  if (error !== undefined)
    return `the condition could not be evaluated (${error}), so held to be safe: ${conditionInWords(condition)}`;
  return conditionInWords(condition);
}

export const RISK_WORDS: Record<NonNullable<ActionRequest['risk']>, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export const OUTCOME_WORDS: Record<string, string> = {
  approved: 'Approved',
  allowed: 'Allowed by policy',
  denied: 'Denied',
  blocked: 'Blocked by policy',
  expired: 'Expired without a decision',
  cancelled: 'Cancelled by the requester',
};

/** How a transport names a principal and makes a request's own text inert within `max` characters. */
export type Speech = { who: (principal: string) => string; inert: (text: string, max: number) => string };

/** "Approved by a, b", "Denied by c: reason", "Blocked by policy: reason", "Expired without a decision". */
export function outcomeSentence(request: ActionRequest, speech: Speech): string {
  const head = OUTCOME_WORDS[request.status] ?? request.status;
  const approvers = request.reviews
    .filter((r) => r.decision === 'approve')
    .map((r) => speech.who(r.reviewer));
  const denier = request.reviews.find((r) => r.decision === 'deny');
  const glass = request.breakGlass;
  if (request.status === 'approved' && glass?.by)
    return `Approved by break-glass: ${speech.who(glass.by)}, “${speech.inert(glass.reason ?? '', 500)}” (follow-up review ${glass.followUp?.status === 'open' ? 'open' : (glass.followUp?.status ?? 'open').replace('_', ' ')})`;
  if (request.status === 'approved') return `${head} by ${approvers.join(', ')}`;
  if (request.status === 'denied' && denier)
    return `${head} by ${speech.who(denier.reviewer)}: ${speech.inert(denier.comment ?? '', 500)}`;
  if (request.status === 'blocked' && request.reason) return `${head}: ${speech.inert(request.reason, 500)}`;
  return head;
}

/** How a transport marks a button's label in a line of text. */
export type Marks = { button: (label: string) => string };

/**
 * Under a reviewer's question: the requester's side answers with the Answer… button beneath it. No API
 * call is named: an agent reads no chat, and hears the question through the API it waits on.
 */
export const answerHint = (marks: Marks): string =>
  `Answer with ${marks.button('Answer…')} below; the request stays pending.`;

/** Under a break-glass: an approver closes its follow-up review with Sign off or Flag…, `where` they are. */
export const followUpHint = (marks: Marks, where: string): string =>
  `An approver signs it off or flags it with ${marks.button('Sign off')} or ${marks.button('Flag…')} ${where}.`;

/** What the person who clicked or typed sees when the core refused their decision. */
export const notDecided = (decision: 'approve' | 'deny', message: string): string =>
  `Not ${decision === 'approve' ? 'approved' : 'denied'}: ${message}`;

/** What the person who decided sees: the request's state after their review. */
export function decidedLine(decision: 'approve' | 'deny', request: ActionRequest): string {
  const state =
    request.status === 'pending'
      ? `approvals ${request.approvals.received} of ${request.approvals.required}; still pending`
      : `it is now ${request.status}`;
  return `You ${decision === 'approve' ? 'approved' : 'denied'} ${request.action} (${request.id}): ${state}.`;
}
