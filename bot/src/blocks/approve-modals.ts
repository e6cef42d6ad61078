import type { ActionRequest } from '@countersign/shared';
import { formatDuration, parseDuration } from '@countersign/shared/policy';
import type { KnownBlock, ModalView } from '@slack/types';
import type { ReviewOptions } from '../port';
import { maskSecrets } from '../present';
import { escapeMrkdwn, truncate } from './format';

export const AMEND_MODAL = 'countersign.amend_modal';
export const PARAMS_BLOCK = 'params';
export const PARAMS_INPUT = 'params_input';
export const STANDING_MODAL = 'countersign.standing_modal';
export const FOR_BLOCK = 'for';
export const FOR_INPUT = 'for_input';
export const USES_BLOCK = 'uses';
export const USES_INPUT = 'uses_input';
export const RESOURCE_BLOCK = 'resource';
export const RESOURCE_INPUT = 'resource_input';

/** What Slack's plain_text_input holds at most; params longer than this are amended in the console. */
const INPUT_MAX = 3000;
const HOUR = 3_600_000;
const MASK = '••••••';

const what = (request: ActionRequest): string =>
  truncate(
    `\`${escapeMrkdwn(request.action)}\`${request.resource ? ` on \`${escapeMrkdwn(request.resource)}\`` : ''}, requested by \`${escapeMrkdwn(request.requester.id)}\``,
    2900,
  );

/** The params as the reviewer edits them: masked like everywhere in Slack, so no secret leaves the server. */
export function editableParams(request: ActionRequest): string {
  return JSON.stringify(maskSecrets(request.params ?? {}), null, 2);
}

/**
 * The "Approve with changes…" modal: the params as JSON to edit. Undefined when they are too long for
 * Slack's text input (the console amends those). Carries the request id and its digest, so an
 * amendment written against params that changed meanwhile is refused rather than applied.
 */
export function amendModal(
  request: ActionRequest,
  origin?: { channel: string; ts: string },
): ModalView | undefined {
  const json = editableParams(request);
  if (json.length > INPUT_MAX) return undefined;
  return {
    type: 'modal',
    callback_id: AMEND_MODAL,
    private_metadata: JSON.stringify({ id: request.id, digest: request.digest, ...(origin && { origin }) }),
    title: { type: 'plain_text', text: 'Approve with changes' },
    submit: { type: 'plain_text', text: 'Approve changed' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Approve ${what(request)}, with these params:` } },
      {
        type: 'input',
        block_id: PARAMS_BLOCK,
        label: { type: 'plain_text', text: 'Params (JSON object)' },
        hint: {
          type: 'plain_text',
          text: `Values shown as ${MASK} are kept as submitted. The grant binds to exactly these params.`,
        },
        element: {
          type: 'plain_text_input',
          action_id: PARAMS_INPUT,
          multiline: true,
          initial_value: json,
          min_length: 2,
          max_length: INPUT_MAX,
        },
      },
    ],
  };
}

/** A modal that only says why nothing can be done here (Slack cannot show it; the console can). */
export function noticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: truncate(title, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Puts back what masking hid: wherever the submitted value is still the masked form of the original
 * at the same place, the original stands. A mask left anywhere else (moved, or typed) is an error.
 */
export function restoreMasked(submitted: unknown, original: unknown): unknown {
  return restore(submitted, original, maskSecrets(original));
}

// `masked` is the original as the reviewer was shown it, at the same place: a key such as `password`
// is masked by its parent, so the masked form of a child is the child of the masked parent.
function restore(submitted: unknown, original: unknown, masked: unknown): unknown {
  if (original !== undefined && same(submitted, masked)) return original;
  const child = (v: unknown, k: string | number): unknown =>
    v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  if (Array.isArray(submitted))
    return submitted.map((v, i) =>
      Array.isArray(original) ? restore(v, original[i], child(masked, i)) : restore(v, undefined, undefined),
    );
  if (submitted !== null && typeof submitted === 'object') {
    const isMap = original !== null && typeof original === 'object' && !Array.isArray(original);
    return Object.fromEntries(
      Object.entries(submitted).map(([k, v]) => [
        k,
        isMap ? restore(v, child(original, k), child(masked, k)) : restore(v, undefined, undefined),
      ]),
    );
  }
  return submitted;
}

/** The amended params a reviewer typed, checked; or what is wrong with them, in words for the modal. */
export function parseAmendedParams(
  text: string,
  original: Record<string, unknown> | undefined,
): { params: Record<string, unknown> } | { error: string } {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (error) {
    return { error: `Not JSON: ${error instanceof Error ? error.message : 'unreadable'}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { error: 'The params must be a JSON object, like {"rows": 100}.' };
  const params = restoreMasked(parsed, original ?? {}) as Record<string, unknown>;
  if (JSON.stringify(params).includes(MASK))
    return {
      error: `A masked value (${MASK}) was moved or typed: keep it where it was, or amend in the console.`,
    };
  if (same(params, original ?? {})) return { error: 'Nothing changed: use Approve to approve as submitted.' };
  return { params };
}

/** How long a standing approval offers by default: an hour, or the rule's limit when shorter. */
export const standingDefault = (limits: NonNullable<ReviewOptions['standing']>): string =>
  formatDuration(Math.min(HOUR, limits.maxMs));

/** The "Approve for 1h…" modal: how long and how many more requests, within the rule's limits. */
export function standingModal(
  request: ActionRequest,
  limits: NonNullable<ReviewOptions['standing']>,
  origin?: { channel: string; ts: string },
): ModalView {
  const max = formatDuration(limits.maxMs);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Approve ${what(request)}, and the same action by the same requester${request.resource ? ' on this resource' : ''} again without asking, for a while.`,
      },
    },
    {
      type: 'input',
      block_id: FOR_BLOCK,
      label: { type: 'plain_text', text: `For how long (at most ${max})` },
      hint: { type: 'plain_text', text: 'A duration such as 30m or 1h.' },
      element: {
        type: 'plain_text_input',
        action_id: FOR_INPUT,
        initial_value: standingDefault(limits),
        max_length: 20,
      },
    },
    {
      type: 'input',
      block_id: USES_BLOCK,
      label: { type: 'plain_text', text: `How many more requests (at most ${limits.uses})` },
      element: {
        type: 'number_input',
        action_id: USES_INPUT,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: String(limits.uses),
        initial_value: String(limits.uses),
      },
    },
  ];
  // A narrower pattern is typed by the reviewer, so they see in full what they approve; the exact
  // resource is the default. A request without a resource has nothing a pattern could cover.
  if (request.resource)
    blocks.push({
      type: 'input',
      block_id: RESOURCE_BLOCK,
      optional: true,
      label: { type: 'plain_text', text: 'On which resources' },
      hint: {
        type: 'plain_text',
        text: 'This resource, or a glob that covers it (e.g. reports/eu/*). Later requests on any resource it matches are approved at once.',
      },
      element: {
        type: 'plain_text_input',
        action_id: RESOURCE_INPUT,
        initial_value: truncate(request.resource, 3000),
        max_length: 3000,
      },
    });
  return {
    type: 'modal',
    callback_id: STANDING_MODAL,
    private_metadata: JSON.stringify({ id: request.id, ...(origin && { origin }) }),
    title: { type: 'plain_text', text: 'Approve for a while' },
    submit: { type: 'plain_text', text: 'Approve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/**
 * The standing terms a reviewer typed, within the rule's limits; or, per input block, what is wrong.
 * `resource` is passed on only when it differs from the request's own (the core checks it covers that).
 */
export function parseStandingTerms(
  forText: string | undefined,
  usesText: string | undefined,
  limits: NonNullable<ReviewOptions['standing']>,
  resource?: { typed: string | undefined; own: string | undefined },
): { standing: { for: string; uses: number; resource?: string } } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const duration = (forText ?? '').trim();
  const ms = parseDuration(duration);
  if (ms === undefined || ms <= 0) errors[FOR_BLOCK] = 'A duration such as 30m or 1h.';
  else if (ms > limits.maxMs) errors[FOR_BLOCK] = `The rule allows at most ${formatDuration(limits.maxMs)}.`;
  const uses = Number((usesText ?? '').trim());
  if (!Number.isInteger(uses) || uses < 1) errors[USES_BLOCK] = 'A whole number, 1 or more.';
  else if (uses > limits.uses) errors[USES_BLOCK] = `The rule allows at most ${limits.uses}.`;
  if (Object.keys(errors).length > 0) return { errors };
  const pattern = (resource?.typed ?? '').trim();
  const narrower = pattern !== '' && pattern !== resource?.own ? { resource: pattern } : {};
  return { standing: { for: duration, uses, ...narrower } };
}
