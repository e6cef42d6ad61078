import { BLOCK_KIT_LIMITS, type Check, type LimitRule, type Target } from './block-kit-limits';
import type { Json, JsonObject } from './types';

export interface BlockKitIssue {
  /** Slack's wording, e.g. "must be less than 3001 characters". */
  message: string;
  /** A JSON pointer into the request, e.g. "/blocks/0/text/text" or "/view/title/text". */
  pointer: string;
  /** Set when the rule overrides the surface's error code (message text → msg_too_long). */
  error?: string;
}

interface WalkState {
  issues: BlockKitIssue[];
  blockIds: Set<string>;
  actionIds: Set<string>;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a chat.postMessage / chat.update / chat.postEphemeral / response_url payload. */
export function validateMessage(args: JsonObject): BlockKitIssue[] {
  const state = newState();
  applyRules('message', args, '', state);
  walkBlocks(args.blocks, '/blocks', state);
  return state.issues;
}

/** Validates a view object; `pointer` is where the view sits in the request ("/view"). */
export function validateView(view: JsonObject, pointer = '/view'): BlockKitIssue[] {
  const state = newState();
  applyRules('view', view, pointer, state);
  if (typeof view.type === 'string') applyRules(`view:${view.type}` as Target, view, pointer, state);
  walkBlocks(view.blocks, `${pointer}/blocks`, state);
  return state.issues;
}

/** Slack's "[ERROR] <message> [json-pointer:<pointer>]" lines, as in response_metadata.messages. */
export function formatIssues(issues: readonly BlockKitIssue[]): string[] {
  return issues.map((issue) => `[ERROR] ${issue.message} [json-pointer:${issue.pointer}]`);
}

function newState(): WalkState {
  return { issues: [], blockIds: new Set(), actionIds: new Set() };
}

function walkBlocks(blocks: Json | undefined, pointer: string, state: WalkState): void {
  if (blocks === undefined) return;
  if (!Array.isArray(blocks)) {
    state.issues.push({ message: 'must be an array', pointer });
    return;
  }
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!isObject(block)) {
      state.issues.push({ message: 'must be an object', pointer: at });
      return;
    }
    applyRules('block', block, at, state);
    if (typeof block.type === 'string') applyRules(`block:${block.type}`, block, at, state);
    // action_id uniqueness is scoped to the containing block (button element docs).
    state.actionIds = new Set();
    for (const [element, elementAt] of interactiveElements(block, at)) {
      applyRules('element', element, elementAt, state);
      if (typeof element.type === 'string') applyRules(`element:${element.type}`, element, elementAt, state);
    }
  });
}

/** The interactive elements a block holds: a section's accessory, an actions block's elements, an input's element. */
function interactiveElements(block: JsonObject, pointer: string): Array<[JsonObject, string]> {
  const found: Array<[JsonObject, string]> = [];
  if (isObject(block.accessory)) found.push([block.accessory, `${pointer}/accessory`]);
  if (isObject(block.element)) found.push([block.element, `${pointer}/element`]);
  if (block.type === 'actions' && Array.isArray(block.elements)) {
    block.elements.forEach((element, index) => {
      if (isObject(element)) found.push([element, `${pointer}/elements/${index}`]);
    });
  }
  return found;
}

function applyRules(target: Target, node: JsonObject, pointer: string, state: WalkState): void {
  for (const rule of BLOCK_KIT_LIMITS) {
    if (rule.target !== target) continue;
    const message = check(rule, node, state);
    if (message === undefined) continue;
    const at = message.pointer === undefined ? `${pointer}/${rule.field}` : `${pointer}${message.pointer}`;
    const issue: BlockKitIssue = { message: message.text, pointer: at };
    if (rule.error !== undefined) issue.error = rule.error;
    state.issues.push(issue);
  }
}

interface Failure {
  text: string;
  /** Relative to the node; defaults to "/<field>". */
  pointer?: string;
}

function check(rule: LimitRule, node: JsonObject, state: WalkState): Failure | undefined {
  const value = node[rule.field];
  const c: Check = rule.check;
  if (c.kind === 'required') {
    return value === undefined || value === null
      ? { text: `missing required field: ${rule.field}`, pointer: '' }
      : undefined;
  }
  if (c.kind === 'required-with-input-block') {
    const hasInput = Array.isArray(node.blocks) && node.blocks.some((b) => isObject(b) && b.type === 'input');
    return hasInput && value === undefined
      ? { text: `${rule.field} is required when an input block is within the blocks array`, pointer: '' }
      : undefined;
  }
  if (value === undefined || value === null) return undefined;
  switch (c.kind) {
    case 'chars':
      return checkChars(rule.field, value, c.max, c.min);
    case 'plain-text':
      return isObject(value) && value.type === 'plain_text'
        ? undefined
        : { text: 'must be a plain_text text object', pointer: `/${rule.field}/type` };
    case 'items':
      return Array.isArray(value) && value.length > c.max
        ? { text: `must be less than ${c.max + 1} items` }
        : undefined;
    case 'item-chars':
      if (!Array.isArray(value)) return undefined;
      for (const [index, item] of value.entries()) {
        const failure = checkChars(`${rule.field}/${index}`, item, c.max, undefined);
        if (failure !== undefined) return failure;
      }
      return undefined;
    case 'int-range':
      return typeof value === 'number' && Number.isInteger(value) && value >= c.min && value <= c.max
        ? undefined
        : { text: `must be an integer between ${c.min} and ${c.max}` };
    case 'one-of':
      return typeof value === 'string' && c.values.includes(value)
        ? undefined
        : { text: `must be one of: ${c.values.join(', ')}` };
    case 'unique':
      return checkUnique(rule.field, value, c.scope === 'surface' ? state.blockIds : state.actionIds);
  }
}

function checkChars(field: string, value: Json, max: number, min: number | undefined): Failure | undefined {
  const isTextObject = isObject(value);
  const text = isTextObject ? value.text : value;
  if (typeof text !== 'string') return undefined;
  const pointer = isTextObject ? `/${field}/text` : `/${field}`;
  // Slack counts characters, not UTF-16 code units, so an emoji is one.
  const length = Array.from(text).length;
  if (length > max) return { text: `must be less than ${max + 1} characters`, pointer };
  if (min !== undefined && length < min) return { text: `must be more than ${min - 1} characters`, pointer };
  return undefined;
}

function checkUnique(field: string, value: Json, seen: Set<string>): Failure | undefined {
  if (typeof value !== 'string') return undefined;
  if (seen.has(value)) return { text: `\`${field}\` "${value}" already exists` };
  seen.add(value);
  return undefined;
}
