import type { ActionRequest } from '@countersign/shared';
import {
  answerHint,
  discountedSentence,
  followUpHint,
  type Marks,
  reboundSentence,
  refusalSentence,
} from '../present';
import { followUpClosed } from './follow-up';
import { escapeMrkdwn, inert, type Mentions, truncate, who } from './format';
import { outcomeLine } from './request-message';

// Slack's mrkdwn: a button's label in bold.
const MARKS: Marks = { button: (label) => `*${label}*` };

/** The thread reply for one event on a request, or undefined when the event needs none. */
export function threadReply(
  event: string,
  payload: Record<string, unknown>,
  request: ActionRequest,
  mentions: Mentions,
): string | undefined {
  const actor = typeof payload.actor === 'string' ? who(payload.actor, mentions) : 'someone';
  const comment =
    typeof payload.comment === 'string' && payload.comment ? `: “${inert(payload.comment, 1500)}”` : '';
  switch (event) {
    case 'review.recorded':
      return payload.decision === 'approve'
        ? `:white_check_mark: ${actor} approved${comment}`
        : `:x: ${actor} denied${comment}`;
    case 'review.refused': {
      const code = typeof payload.code === 'string' ? payload.code : '';
      return `:no_entry_sign: ${refusalSentence(code, actor, escapeMrkdwn)}`;
    }
    case 'review.discounted': {
      const reviewer = typeof payload.reviewer === 'string' ? who(payload.reviewer, mentions) : 'someone';
      const reason = typeof payload.reason === 'string' ? inert(payload.reason, 300) : '';
      // The count as the core left it when it discounted (the card shows the count now).
      const approvals = countOf(payload.approvals);
      return `:warning: ${discountedSentence(reviewer, reason, approvals, (t) => t)}`;
    }
    case 'action.rebound':
      return `:arrows_counterclockwise: ${reboundSentence(request, (t) => inert(t, 200))}`;
    case 'action.question': {
      // Addressed to whoever can answer: the agent's owner, or the person who asked.
      // An owner is an email, a requester a principal: mention either as the person it is.
      const requester = request.requester.owner ? `user:${request.requester.owner}` : request.requester.id;
      return `:question: ${actor} asks ${who(requester, mentions)}${comment}\n${answerHint(MARKS)}`;
    }
    case 'action.answered':
      return `:speech_balloon: ${actor} answered${comment}`;
    case 'action.break_glass':
      return breakGlassNotice(payload, request, mentions);
    case 'action.follow_up':
      return payload.decision === 'flagged'
        ? `:triangular_flag_on_post: ${actor} flagged the break-glass${comment}`
        : `:white_check_mark: ${actor} signed off the break-glass${comment}`;
    case 'action.approved':
    case 'action.denied':
    case 'action.expired':
    case 'action.cancelled':
      return truncate(outcomeLine(request, mentions), 3000);
    default:
      return undefined;
  }
}

function countOf(value: unknown): { received: number; required: number } | undefined {
  if (typeof value !== 'object' || value === null || !('received' in value) || !('required' in value))
    return undefined;
  const { received, required } = value;
  return typeof received === 'number' && typeof required === 'number' ? { received, required } : undefined;
}

/** The break-glass broadcast: who approved their own request, why, and when the follow-up is due. */
export function breakGlassNotice(
  payload: Record<string, unknown>,
  request: ActionRequest,
  mentions: Mentions,
): string {
  const actor = typeof payload.actor === 'string' ? who(payload.actor, mentions) : 'someone';
  const reason = typeof payload.reason === 'string' ? inert(payload.reason, 1500) : '';
  const due = typeof payload.followUpDueAt === 'number' ? new Date(payload.followUpDueAt).toISOString() : '';
  const target = request.resource ? ` on \`${inert(request.resource, 200)}\`` : '';
  // Once the review is closed, the buttons the hint names are gone: the post says who closed it instead.
  const closed = followUpClosed(request);
  const hint = closed ? '' : ` ${followUpHint(MARKS, 'in the request’s thread, their DM or their App Home')}`;
  return truncate(
    `:rotating_light: *Break-glass*: ${actor} approved their own request \`${escapeMrkdwn(request.action)}\`${target} (${request.id}), rule \`${inert(request.rule.name, 100)}\`: “${reason}”. Follow-up review due ${due || 'soon'}.${hint}`,
    3000,
  );
}

/** The break-glass event's payload as the request keeps it, to word the broadcast again after it was sent. */
export function breakGlassFacts(request: ActionRequest): Record<string, unknown> {
  const glass = request.breakGlass;
  const due = glass?.followUp?.dueAt ? Date.parse(glass.followUp.dueAt) : Number.NaN;
  return {
    ...(glass?.by && { actor: glass.by }),
    ...(glass?.reason !== undefined && { reason: glass.reason }),
    ...(!Number.isNaN(due) && { followUpDueAt: due }),
  };
}

/** The direct message to the requester (or the agent's owner) once their request is settled. */
export function outcomeNotice(request: ActionRequest, mentions: Mentions): string {
  const target = request.resource ? ` on \`${inert(request.resource, 200)}\`` : '';
  return truncate(
    `Your request \`${escapeMrkdwn(request.action)}\`${target} (${request.id}): ${outcomeLine(request, mentions)}`,
    3000,
  );
}
