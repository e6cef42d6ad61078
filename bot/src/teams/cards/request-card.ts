import type { ActionRequest } from '@countersign/shared';
import type { ReviewOptions } from '../../port';
import {
  answerHint,
  conditionWords,
  followUpHint,
  type Marks,
  outcomeSentence,
  paramsPreview,
  RISK_WORDS,
  reboundSentence,
  refusalSentence,
  type Speech,
  truncate,
} from '../../present';
import { amendForm, answerForm, askForm, breakGlassForm, followUpActions, standingForm } from './forms';

export const APPROVE_VERB = 'countersign.approve';
export const DENY_VERB = 'countersign.deny';
export const REASON_INPUT = 'reason';

export type Card = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/** Adaptive Cards render Markdown in TextBlocks: a request's own text is shown as typed, not as markup. */
export const plain = (text: string, max: number): string =>
  truncate(
    text.replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`),
    max,
  );

export const speech: Speech = {
  who: (principal) => plain(principal.startsWith('user:') ? principal.slice(5) : principal, 200),
  inert: plain,
};

// Adaptive Cards' Markdown: a button's label in bold.
const MARKS: Marks = { button: (label) => `**${label}**` };

const text = (value: string, extra: Record<string, unknown> = {}) => ({
  type: 'TextBlock',
  text: value,
  wrap: true,
  ...extra,
});

function requester(request: ActionRequest): string {
  const { id, owner } = request.requester;
  return owner && id.startsWith('agent:') ? `${plain(id, 200)} (owner ${plain(owner, 200)})` : speech.who(id);
}

/**
 * `{{DATE(…)}}` lets each reader's Teams show the time in their own zone. It takes RFC 3339 to the
 * second only: with milliseconds (as toISOString writes them) the raw `{{DATE(…)}}` text is shown.
 */
export function when(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return plain(iso, 40);
  const seconds = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${seconds}, SHORT)}} {{TIME(${seconds})}}`;
}

/**
 * The card approvers see, a pure function of the request: what, where, why, the masked params, who
 * asked and who owns it, "N of M", the deadline; Approve (Action.Execute, with an Action.Submit
 * fallback for clients without Universal Actions) and Deny, which opens a required reason; on a
 * step-up request with a console, Approve opens the console's step-up page instead. Below the facts,
 * what the rule (`review`, from the port) allows besides: Approve with changes…, Approve for a
 * while…, Ask…, and the requester's Break glass…. Once decided, no decision buttons: the outcome
 * instead, and Sign off / Flag… while a break-glass's follow-up is open. Every field is bounded, so
 * no request can push the card past Teams' 28 KB.
 */
export function requestCard(
  request: ActionRequest,
  options: {
    consoleUrl?: string | undefined;
    compact?: boolean;
    review?: ReviewOptions | undefined;
    /** `requester`: the card the requester's side reads in its 1:1 chat: no review buttons, Break glass… where allowed. */
    side?: 'approvers' | 'requester';
  } = {},
): Card {
  const facts = [
    { title: 'Action', value: plain(request.action, 200) },
    { title: 'Resource', value: request.resource ? plain(request.resource, 300) : '—' },
    { title: 'Environment', value: request.environment ? plain(request.environment, 100) : '—' },
    { title: 'Requested by', value: requester(request) },
    { title: 'Rule', value: plain(request.rule.name, 100) },
    ...(request.risk ? [{ title: 'Risk', value: RISK_WORDS[request.risk] }] : []),
    ...(conditionWords(request)
      ? [{ title: 'Held because', value: plain(conditionWords(request) ?? '', 1000) }]
      : []),
    { title: 'Approvals', value: `${request.approvals.received} of ${request.approvals.required}` },
    { title: 'Expires', value: request.expiresAt ? when(request.expiresAt) : '—' },
  ];
  const body: Record<string, unknown>[] = [
    text(plain(truncate(`Approval needed: ${request.action}`, 150), 300), {
      size: 'Large',
      weight: 'Bolder',
    }),
    { type: 'FactSet', facts },
  ];
  // Compact: the card Teams refused as too large, sent again without the request's own long text.
  if (options.compact)
    body.push(
      text(
        `The justification and params are left out: Teams refused the full card as too large. ${options.consoleUrl ? 'Open the request in Countersign to read them.' : 'Read them with the API or the CLI.'}`,
        { isSubtle: true },
      ),
    );
  else {
    if (request.justification) body.push(text(`**Why:** ${plain(request.justification, 2800)}`));
    const preview = paramsPreview(request.params);
    if (preview) body.push(text('**Params**'), text(plain(preview, 1200), { fontType: 'Monospace' }));
  }
  body.push(
    text(`${request.id} · approvers: ${plain(request.approvers.join(', '), 300)}`, {
      isSubtle: true,
      size: 'Small',
    }),
  );
  // Approve and Deny name the version the card shows: a click on a card drawn before the request was
  // amended is refused by the core (request_changed), not counted for what the clicker never saw.
  const data = { actionId: request.id, digest: request.digest };
  const actions: Record<string, unknown>[] = [];
  const consoleUrl = options.consoleUrl?.replace(/\/+$/, '');
  const glass = breakGlassForm(request, consoleUrl);
  if (request.status === 'pending' && options.side === 'requester') {
    if (glass) body.push({ type: 'ActionSet', actions: [glass] });
  } else if (request.status === 'pending') {
    actions.push(
      // A step-up (MFA, a passkey) happens in the console: a click in the card alone must not approve.
      request.stepUp && consoleUrl
        ? {
            type: 'Action.OpenUrl',
            title: request.stepUp === 'mfa' ? 'Approve (MFA)' : 'Approve (passkey)',
            style: 'positive',
            url: `${consoleUrl}/requests/${encodeURIComponent(request.id)}/step-up`,
          }
        : {
            type: 'Action.Execute',
            title: 'Approve',
            verb: APPROVE_VERB,
            style: 'positive',
            data,
            fallback: { type: 'Action.Submit', title: 'Approve', data: { ...data, verb: APPROVE_VERB } },
          },
      {
        type: 'Action.ShowCard',
        title: 'Deny',
        card: {
          type: 'AdaptiveCard',
          body: [
            {
              type: 'Input.Text',
              id: REASON_INPUT,
              label: 'Why deny? (the requester sees this)',
              isMultiline: true,
              isRequired: true,
              maxLength: 1500,
              errorMessage: 'A deny needs a reason.',
            },
          ],
          actions: [
            {
              type: 'Action.Execute',
              title: 'Deny',
              verb: DENY_VERB,
              style: 'destructive',
              data,
              fallback: { type: 'Action.Submit', title: 'Deny', data: { ...data, verb: DENY_VERB } },
            },
          ],
        },
      },
    );
    // Teams shows at most six actions in a row: the forms sit in an ActionSet of their own.
    // An approval with extras would skip a step-up, so a step-up request offers none (the core refuses them too).
    const more = [
      ...(request.stepUp ? [] : [amendForm(request, options.review), standingForm(request, options.review)]),
      askForm(request),
      glass,
    ].filter((a) => a !== undefined);
    if (!options.compact) body.push({ type: 'ActionSet', actions: more });
  } else {
    if (options.side !== 'requester') actions.push(...followUpActions(request));
    body.push(
      text(`**${truncate(outcomeSentence(request, speech), 2000)}**`, {
        color: request.status === 'approved' ? 'Good' : 'Attention',
      }),
    );
  }
  if (consoleUrl)
    actions.push({
      type: 'Action.OpenUrl',
      title: 'Open in Countersign',
      url: `${consoleUrl}/requests/${encodeURIComponent(request.id)}`,
    });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length > 0 && { actions }),
  };
}

/** A card as the attachment of a message activity. */
export const cardAttachment = (card: Card) => ({
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: card,
});

/** The thread reply for one event on a request, or undefined when the event needs none. */
export function threadText(
  event: string,
  payload: Record<string, unknown>,
  request: ActionRequest,
): string | undefined {
  const actor = typeof payload.actor === 'string' ? speech.who(payload.actor) : 'someone';
  const comment =
    typeof payload.comment === 'string' && payload.comment ? `: “${plain(payload.comment, 1500)}”` : '';
  switch (event) {
    case 'review.recorded':
      return payload.decision === 'approve'
        ? `✅ ${actor} approved${comment}`
        : `❌ ${actor} denied${comment}`;
    case 'review.refused':
      return `🚫 ${refusal(payload, actor)}`;
    case 'action.question': {
      const requester = request.requester.owner ?? request.requester.id;
      return `❓ ${actor} asks ${plain(requester, 200)}${comment}\n\n${answerHint(MARKS)}`;
    }
    case 'action.answered':
      return `💬 ${actor} answered${comment}`;
    case 'action.rebound':
      return `🔄 ${reboundSentence(request, (t) => plain(t, 200))}`;
    case 'action.break_glass': {
      const reason = typeof payload.reason === 'string' ? plain(payload.reason, 1500) : '';
      return `🚨 **Break-glass**: ${actor} approved their own request: “${reason}”. ${followUpHint(MARKS, 'on the card')}`;
    }
    case 'action.follow_up':
      return payload.decision === 'flagged'
        ? `🚩 ${actor} flagged the break-glass${comment}`
        : `✅ ${actor} signed off the break-glass${comment}`;
    case 'action.approved':
    case 'action.denied':
    case 'action.expired':
    case 'action.cancelled':
      return outcomeSentence(request, speech);
    default:
      return undefined;
  }
}

const refusal = (payload: Record<string, unknown>, actor: string) =>
  refusalSentence(typeof payload.code === 'string' ? payload.code : '', actor, (c) => plain(c, 100));

/**
 * A thread reply as a card, where its reader acts on it: a reviewer's question carries the
 * requester's Answer… form; every other reply is text.
 */
export function threadAttachment(event: string, text: string, request: ActionRequest) {
  if (event !== 'action.question' || request.status !== 'pending') return undefined;
  return cardAttachment({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'TextBlock', text, wrap: true }],
    actions: [answerForm(request.id)],
  });
}

/** The 1:1 message to the requester (or the agent's owner) once their request is settled. */
export const outcomeNotice = (request: ActionRequest): string =>
  truncate(
    `Your request ${plain(request.action, 200)}${request.resource ? ` on ${plain(request.resource, 200)}` : ''} (${request.id}): ${outcomeSentence(request, speech)}`,
    3000,
  );
