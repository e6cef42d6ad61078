import { type BlockKitIssue, formatIssues } from '../block-kit-validator';
import type { Directory } from '../directory';
import type { MessageStore } from '../message-store';
import type { JsonObject, ResolvedOptions } from '../types';

export interface MethodContext {
  args: JsonObject;
  options: ResolvedOptions;
  directory: Directory;
  store: MessageStore;
  /** Issues a single-use Socket Mode URL (apps.connections.open). */
  issueSocketUrl: () => string;
}

/** Which kind of token a method accepts; the other kind gets not_allowed_token_type, as on Slack. */
export type TokenKind = 'bot' | 'app';

export interface MethodSpec {
  token: TokenKind;
  /** Returns the JSON body; Slack answers method-level errors with HTTP 200 and ok:false. */
  handle: (ctx: MethodContext) => JsonObject;
}

export type MethodTable = Readonly<Record<string, MethodSpec>>;

export function fail(error: string, extra: JsonObject = {}): JsonObject {
  return { ok: false, error, ...extra };
}

/** How chat.* reject Block Kit: invalid_blocks, the bare messages in `errors`, and the "[ERROR] …" lines. */
export function invalidBlocks(issues: readonly BlockKitIssue[]): JsonObject {
  return fail('invalid_blocks', {
    errors: issues.map((issue) => `${issue.message} [json-pointer:${issue.pointer}]`),
    response_metadata: { messages: formatIssues(issues) },
  });
}

/** How views.* and missing required arguments are rejected. */
export function invalidArguments(messages: readonly string[]): JsonObject {
  return fail('invalid_arguments', { response_metadata: { messages: [...messages] } });
}

export function missingArgument(name: string): JsonObject {
  return invalidArguments([`[ERROR] missing required field: ${name}`]);
}
