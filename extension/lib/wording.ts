/**
 * The sentences a person reads about a decision, in the overlay and in the refused call's body.
 * They follow the approval card in Slack ("Approved by alice@example.com"): people by their email,
 * never a `user:` principal; the action name only where it is shown as code (the overlay's heading),
 * never at the start of a sentence, where it would be capitalised; a reviewer's or a policy's own
 * words quoted as written, so their punctuation is theirs and no period is doubled.
 *
 * bot/src/blocks (outcomeLine, threadReply) builds the same sentences for Slack; they are to become
 * one shared wording module.
 */
import type { ActionRequest } from '@countersign/shared/sdk';

/** `user:alice@example.com` → `alice@example.com`; agents and others as their principal says. */
export const person = (principal: string): string => principal.replace(/^user:/, '');

const quoted = (text: string): string => `“${text.trim()}”`;

/** Why the request may go: who approved it, or the policy rule that allows it. */
export function approvedSentence(request: ActionRequest): string {
  if (request.status === 'allowed') return `Allowed by policy rule “${request.rule.name}”; sent.`;
  const by = request.reviews.filter((r) => r.decision === 'approve').map((r) => person(r.reviewer));
  return `Approved${by.length ? ` by ${by.join(', ')}` : ''}; sent.`;
}

/** Why it may not, for a request that reached a final status other than approved or allowed. */
export function refusedSentence(request: ActionRequest): string {
  switch (request.status) {
    case 'denied': {
      // The first deny decides, so its review explains the decision.
      const deny = request.reviews.find((r) => r.decision === 'deny');
      const reason = deny?.comment ?? request.reason;
      const by = deny ? ` by ${person(deny.reviewer)}` : '';
      return reason?.trim() ? `Denied${by}: ${quoted(reason)}` : `Denied${by}.`;
    }
    case 'blocked':
      return request.reason?.trim()
        ? `Blocked by policy rule “${request.rule.name}”: ${quoted(request.reason)}`
        : `Blocked by policy rule “${request.rule.name}”.`;
    case 'expired':
      return 'Nobody decided before the request expired; ask again if it is still needed.';
    case 'cancelled':
      return 'Cancelled by the requester before anyone decided.';
    case 'pending':
    case 'approved':
    case 'allowed':
      return `The request is ${request.status}.`;
  }
}
