import { type ActionRequest, BREAK_GLASS_MIN_REASON } from '@countersign/shared';
import { formatDuration } from '@countersign/shared/policy';
import { editableParams, standingDefault } from '../../blocks/approve-modals';
import type { ReviewOptions } from '../../port';

/**
 * The forms a request card carries besides Approve and Deny (issue 16): each an Action.ShowCard whose
 * inputs Teams checks where Adaptive Cards can (required, length, a pattern, a number's range), and
 * whose Action.Execute sends them to the core, which checks them all again. Input ids are unique
 * across the card: Teams gathers the inputs of every card a button sits in.
 */

export const AMEND_VERB = 'countersign.amend';
export const STANDING_VERB = 'countersign.standing';
export const ASK_VERB = 'countersign.ask';
export const ANSWER_VERB = 'countersign.answer';
export const BREAK_GLASS_VERB = 'countersign.break_glass';
export const SIGN_OFF_VERB = 'countersign.sign_off';
export const FLAG_VERB = 'countersign.flag';
export const REVOKE_VERB = 'countersign.revoke_standing';

export const INPUTS = {
  params: 'amendParams',
  for: 'standingFor',
  uses: 'standingUses',
  resource: 'standingResource',
  question: 'question',
  answer: 'answer',
  glassReason: 'glassReason',
  followUpComment: 'followUpComment',
} as const;

/** Teams' Input.Text holds this much for params; longer params are amended in the console. */
const PARAMS_MAX = 3000;
// The API's bounds (CommentInput, BreakGlassInput): the card stops what the core would refuse anyway.
const TEXT_MAX = 4000;
// Teams' regex counts every character; the core counts only visible ones and refuses the rest.
const GLASS_MIN = BREAK_GLASS_MIN_REASON;

type Element = Record<string, unknown>;

/** An Action.Execute, with the Action.Submit fallback for clients without Universal Actions. */
export function execute(title: string, verb: string, data: Record<string, unknown>, style?: string): Element {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    ...(style && { style }),
    fallback: { type: 'Action.Submit', title, data: { ...data, verb } },
  };
}

const showCard = (title: string, body: Element[], actions: Element[]): Element => ({
  type: 'Action.ShowCard',
  title,
  card: { type: 'AdaptiveCard', body, actions },
});

const textInput = (id: string, label: string, extra: Element = {}): Element => ({
  type: 'Input.Text',
  id,
  label,
  ...extra,
});

const note = (text: string): Element => ({ type: 'TextBlock', text, wrap: true, isSubtle: true });

/**
 * "Approve with changes…": the params as JSON, masked like the card; a masked value left where it
 * was keeps what was submitted. The digest travels with the form, so an amendment written against
 * params that changed since is refused rather than applied. Undefined when the rule forbids amending.
 */
export function amendForm(request: ActionRequest, options: ReviewOptions | undefined): Element | undefined {
  if (!options?.amend) return undefined;
  const json = editableParams(request);
  if (json.length > PARAMS_MAX)
    return showCard(
      'Approve with changes…',
      [note('These params are too long to edit in Teams: amend them in the Countersign console.')],
      [],
    );
  return showCard(
    'Approve with changes…',
    [
      textInput(INPUTS.params, 'Params (JSON object)', {
        value: json,
        isMultiline: true,
        isRequired: true,
        maxLength: PARAMS_MAX,
        errorMessage: 'The params, as a JSON object.',
      }),
      note('Values shown as •••••• are kept as submitted. The grant binds to exactly these params.'),
    ],
    [execute('Approve changed', AMEND_VERB, { actionId: request.id, digest: request.digest }, 'positive')],
  );
}

/** "Approve for 1h…": how long, how many more requests and (optionally) a narrower resource, within the rule's limits. */
export function standingForm(
  request: ActionRequest,
  options: ReviewOptions | undefined,
): Element | undefined {
  const limits = options?.standing;
  if (!limits) return undefined;
  const max = formatDuration(limits.maxMs);
  return showCard(
    `Approve for ${standingDefault(limits)}…`,
    [
      note(
        `Approve this, and the same action by the same requester${request.resource ? ' on this resource (or the pattern below)' : ''} again without asking, for a while.`,
      ),
      textInput(INPUTS.for, `For how long (at most ${max})`, {
        value: standingDefault(limits),
        isRequired: true,
        maxLength: 20,
        regex: '^(?:\\d+(?:ms|s|m|h|d))+$',
        errorMessage: 'A duration such as 30m or 1h.',
      }),
      {
        type: 'Input.Number',
        id: INPUTS.uses,
        label: `How many more requests (at most ${limits.uses})`,
        value: limits.uses,
        min: 1,
        max: limits.uses,
        isRequired: true,
        errorMessage: `A whole number from 1 to ${limits.uses}.`,
      },
      ...(request.resource
        ? [
            textInput(INPUTS.resource, 'Resources covered (optional: a pattern that covers this one)', {
              placeholder: request.resource.slice(0, 200),
              maxLength: 1000,
            }),
          ]
        : []),
    ],
    [execute('Approve', STANDING_VERB, { actionId: request.id }, 'positive')],
  );
}

/** "Ask…": a question for the requester instead of a decision; the request stays pending. */
export const askForm = (request: ActionRequest): Element =>
  showCard(
    'Ask…',
    [
      textInput(INPUTS.question, 'Your question (the requester sees it in the thread)', {
        isMultiline: true,
        isRequired: true,
        maxLength: TEXT_MAX,
        errorMessage: 'Type the question.',
      }),
    ],
    [execute('Ask', ASK_VERB, { actionId: request.id })],
  );

/** "Break glass…": only where the rule allows it, and only for the requester's side (the core checks). */
export function breakGlassForm(request: ActionRequest, consoleUrl?: string): Element | undefined {
  if (!request.breakGlass || request.breakGlass.at) return undefined;
  // Under a step-up rule the glass breaks only after MFA or a passkey in the console, as Approve does:
  // the card links there instead of asking for a reason it could not act on.
  if (request.stepUp && consoleUrl)
    return {
      type: 'Action.OpenUrl',
      title: request.stepUp === 'mfa' ? 'Break glass (MFA)…' : 'Break glass (passkey)…',
      style: 'destructive',
      url: `${consoleUrl}/requests/${encodeURIComponent(request.id)}/step-up?for=break-glass`,
    };
  return showCard(
    'Break glass…',
    [
      note(
        'For the requester (or the agent’s owner) when no approver can be reached: this approves your own request, is broadcast to the approvers and opens a follow-up review.',
      ),
      textInput(INPUTS.glassReason, `Why can no approver be reached? (at least ${GLASS_MIN} characters)`, {
        isMultiline: true,
        isRequired: true,
        maxLength: TEXT_MAX,
        regex: `^[\\s\\S]{${GLASS_MIN},}$`,
        errorMessage: `At least ${GLASS_MIN} characters: say why no approver could be reached.`,
      }),
    ],
    [execute('Break glass', BREAK_GLASS_VERB, { actionId: request.id }, 'destructive')],
  );
}

/** Sign off or Flag… a break-glass whose follow-up review is open (for the approvers). */
export function followUpActions(request: ActionRequest): Element[] {
  if (request.breakGlass?.followUp?.status !== 'open') return [];
  const data = { actionId: request.id };
  return [
    execute('Sign off', SIGN_OFF_VERB, data, 'positive'),
    showCard(
      'Flag…',
      [
        textInput(INPUTS.followUpComment, 'What was wrong? (recorded in the audit log)', {
          isMultiline: true,
          isRequired: true,
          maxLength: TEXT_MAX,
          errorMessage: 'Flagging needs a comment saying what was wrong.',
        }),
      ],
      [execute('Flag', FLAG_VERB, data, 'destructive')],
    ),
  ];
}

/** "Answer…" under a reviewer's question in the thread, for the requester's side. */
export const answerForm = (actionId: string): Element =>
  showCard(
    'Answer…',
    [
      textInput(INPUTS.answer, 'Your answer (the request stays pending)', {
        isMultiline: true,
        isRequired: true,
        maxLength: TEXT_MAX,
        errorMessage: 'Type the answer.',
      }),
    ],
    [execute('Answer', ANSWER_VERB, { actionId })],
  );
