/**
 * Slack's documented Block Kit limits, as data. block-kit-validator.ts walks a payload and applies every rule
 * whose target matches the node it is on; nothing else in the emulator knows a number.
 *
 * Sources (read 2025 via the docs search; the docs.slack.dev pages are the current official reference):
 *  BLOCKS      https://docs.slack.dev/reference/block-kit/blocks — "up to 50 blocks in each message, and 100
 *              blocks in modals or Home tabs"
 *  SECTION     https://docs.slack.dev/reference/block-kit/blocks/section-block — text 1..3000; fields ≤ 10
 *              items, each ≤ 2000; block_id ≤ 255, unique per message/view
 *  HEADER      https://docs.slack.dev/reference/block-kit/blocks/header-block — plain_text text ≤ 150
 *  CONTEXT     https://docs.slack.dev/reference/block-kit/blocks/context-block — elements ≤ 10
 *  ACTIONS     https://docs.slack.dev/reference/block-kit/blocks/actions-block — elements ≤ 25
 *  INPUT       https://docs.slack.dev/reference/block-kit/blocks/input-block — label (plain_text) required,
 *              ≤ 2000; element required; hint ≤ 2000
 *  BUTTON      https://docs.slack.dev/reference/block-kit/block-elements/button-element — plain_text text
 *              ≤ 75; action_id ≤ 255, unique among action_ids in the containing block; url ≤ 3000; value ≤ 2000
 *  TEXT_INPUT  https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element —
 *              max_length 1..3000, min_length 0..3000
 *  MODAL       https://docs.slack.dev/reference/views/modal-views — type modal; title plain_text ≤ 24 (required);
 *              submit/close ≤ 24; submit required when an input block is present; private_metadata ≤ 3000;
 *              callback_id ≤ 255; blocks ≤ 100
 *  HOME        https://docs.slack.dev/reference/views/home-tab-views — type home; blocks ≤ 100;
 *              private_metadata ≤ 3000; callback_id ≤ 255
 *  MSG_TEXT    https://api.slack.com/changelog/2018-04-truncating-really-long-messages and
 *              https://docs.slack.dev/reference/methods/chat.postMessage — text > 40,000 chars is truncated.
 *              The emulator rejects it as msg_too_long instead, on purpose, so a test notices.
 * Error shapes: invalid_blocks with `errors` + response_metadata.messages "[ERROR] must be less than 3001
 * characters [json-pointer:/blocks/0/text/text]" (as captured in grafana/oncall#5121); views answer
 * invalid_arguments with the same messages under /view (jeremeamia/slack-block-kit#3); duplicate action_id
 * reads '`action_id` "x" already exists' (ColeMurray/background-agents#868).
 */

export type Target =
  | 'message'
  | 'view'
  | 'view:modal'
  | 'view:home'
  | 'block'
  | `block:${string}`
  | 'element'
  | `element:${string}`;

export type Check =
  | { kind: 'chars'; max: number; min?: number }
  | { kind: 'plain-text' }
  | { kind: 'items'; max: number }
  | { kind: 'item-chars'; max: number }
  | { kind: 'int-range'; min: number; max: number }
  | { kind: 'required' }
  | { kind: 'one-of'; values: readonly string[] }
  | { kind: 'unique'; scope: 'surface' | 'block' }
  | { kind: 'required-with-input-block' };

export interface LimitRule {
  target: Target;
  field: string;
  check: Check;
  /** Error code that replaces the surface's default (invalid_blocks / invalid_arguments). */
  error?: string;
  source: string;
}

const BLOCKS = 'https://docs.slack.dev/reference/block-kit/blocks';
const SECTION = 'https://docs.slack.dev/reference/block-kit/blocks/section-block';
const HEADER = 'https://docs.slack.dev/reference/block-kit/blocks/header-block';
const CONTEXT = 'https://docs.slack.dev/reference/block-kit/blocks/context-block';
const ACTIONS = 'https://docs.slack.dev/reference/block-kit/blocks/actions-block';
const INPUT = 'https://docs.slack.dev/reference/block-kit/blocks/input-block';
const BUTTON = 'https://docs.slack.dev/reference/block-kit/block-elements/button-element';
const TEXT_INPUT = 'https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element';
const MODAL = 'https://docs.slack.dev/reference/views/modal-views';
const HOME = 'https://docs.slack.dev/reference/views/home-tab-views';
const MSG_TEXT = 'https://api.slack.com/changelog/2018-04-truncating-really-long-messages';

const chars = (max: number): Check => ({ kind: 'chars', max });

export const BLOCK_KIT_LIMITS: readonly LimitRule[] = [
  // Surfaces
  { target: 'message', field: 'blocks', check: { kind: 'items', max: 50 }, source: BLOCKS },
  { target: 'message', field: 'text', check: chars(40_000), error: 'msg_too_long', source: MSG_TEXT },
  { target: 'view', field: 'type', check: { kind: 'one-of', values: ['modal', 'home'] }, source: MODAL },
  { target: 'view', field: 'blocks', check: { kind: 'required' }, source: HOME },
  { target: 'view', field: 'blocks', check: { kind: 'items', max: 100 }, source: BLOCKS },
  { target: 'view', field: 'private_metadata', check: chars(3000), source: HOME },
  { target: 'view', field: 'callback_id', check: chars(255), source: HOME },
  { target: 'view:modal', field: 'title', check: { kind: 'required' }, source: MODAL },
  { target: 'view:modal', field: 'title', check: { kind: 'plain-text' }, source: MODAL },
  { target: 'view:modal', field: 'title', check: chars(24), source: MODAL },
  { target: 'view:modal', field: 'submit', check: { kind: 'plain-text' }, source: MODAL },
  { target: 'view:modal', field: 'submit', check: chars(24), source: MODAL },
  { target: 'view:modal', field: 'submit', check: { kind: 'required-with-input-block' }, source: MODAL },
  { target: 'view:modal', field: 'close', check: { kind: 'plain-text' }, source: MODAL },
  { target: 'view:modal', field: 'close', check: chars(24), source: MODAL },
  // Every block
  { target: 'block', field: 'type', check: { kind: 'required' }, source: BLOCKS },
  { target: 'block', field: 'block_id', check: chars(255), source: SECTION },
  { target: 'block', field: 'block_id', check: { kind: 'unique', scope: 'surface' }, source: SECTION },
  // Blocks by type
  { target: 'block:section', field: 'text', check: { kind: 'chars', min: 1, max: 3000 }, source: SECTION },
  { target: 'block:section', field: 'fields', check: { kind: 'items', max: 10 }, source: SECTION },
  { target: 'block:section', field: 'fields', check: { kind: 'item-chars', max: 2000 }, source: SECTION },
  { target: 'block:header', field: 'text', check: { kind: 'required' }, source: HEADER },
  { target: 'block:header', field: 'text', check: { kind: 'plain-text' }, source: HEADER },
  { target: 'block:header', field: 'text', check: chars(150), source: HEADER },
  { target: 'block:context', field: 'elements', check: { kind: 'items', max: 10 }, source: CONTEXT },
  { target: 'block:actions', field: 'elements', check: { kind: 'items', max: 25 }, source: ACTIONS },
  { target: 'block:input', field: 'label', check: { kind: 'required' }, source: INPUT },
  { target: 'block:input', field: 'label', check: { kind: 'plain-text' }, source: INPUT },
  { target: 'block:input', field: 'label', check: chars(2000), source: INPUT },
  { target: 'block:input', field: 'element', check: { kind: 'required' }, source: INPUT },
  { target: 'block:input', field: 'hint', check: chars(2000), source: INPUT },
  // Every interactive element (section accessory, actions elements, input element)
  { target: 'element', field: 'action_id', check: chars(255), source: BUTTON },
  { target: 'element', field: 'action_id', check: { kind: 'unique', scope: 'block' }, source: BUTTON },
  // Elements by type
  { target: 'element:button', field: 'text', check: { kind: 'required' }, source: BUTTON },
  { target: 'element:button', field: 'text', check: { kind: 'plain-text' }, source: BUTTON },
  { target: 'element:button', field: 'text', check: chars(75), source: BUTTON },
  { target: 'element:button', field: 'value', check: chars(2000), source: BUTTON },
  { target: 'element:button', field: 'url', check: chars(3000), source: BUTTON },
  {
    target: 'element:plain_text_input',
    field: 'max_length',
    check: { kind: 'int-range', min: 1, max: 3000 },
    source: TEXT_INPUT,
  },
  {
    target: 'element:plain_text_input',
    field: 'min_length',
    check: { kind: 'int-range', min: 0, max: 3000 },
    source: TEXT_INPUT,
  },
];
