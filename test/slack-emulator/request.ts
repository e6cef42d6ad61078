import type { IncomingMessage } from 'node:http';
import { isObject } from './block-kit-validator';
import type { Json, JsonObject, RecordedCall } from './types';

/**
 * Arguments that carry JSON. @slack/web-api sends bodies form-encoded and JSON.stringifies every value that is
 * not a string, number or boolean (WebClient.serializeApiCallOptions), so these arrive as JSON strings.
 */
const JSON_VALUED_ARGS = ['blocks', 'view', 'attachments', 'metadata'] as const;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface ParsedRequest {
  args: JsonObject;
  token: string | undefined;
  contentType: RecordedCall['contentType'];
  /** Set when the body could not be read the way Slack reads it; the value is Slack's error code. */
  error?: string;
}

export async function parseRequest(req: IncomingMessage, url: URL): Promise<ParsedRequest> {
  const args: JsonObject = Object.fromEntries(url.searchParams);
  let contentType: RecordedCall['contentType'] = url.search === '' ? 'none' : 'query';
  let error: string | undefined;
  const raw = await readBody(req);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length > 0 && type.startsWith('application/json')) {
    contentType = 'json';
    const parsed = tryParseJson(raw);
    if (isObject(parsed)) Object.assign(args, parsed);
    else error = 'invalid_json';
  } else if (raw.length > 0 && type.startsWith('application/x-www-form-urlencoded')) {
    contentType = 'form';
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
  } else if (raw.length > 0) {
    error = 'invalid_form_data';
  }
  for (const name of JSON_VALUED_ARGS) {
    const value = args[name];
    if (typeof value === 'string') {
      const parsed = tryParseJson(value);
      if (parsed !== undefined) args[name] = parsed;
    }
  }
  const token = bearerToken(req) ?? (typeof args.token === 'string' ? args.token : undefined);
  delete args.token;
  const parsedRequest: ParsedRequest = { args, token, contentType };
  if (error !== undefined) parsedRequest.error = error;
  return parsedRequest;
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function tryParseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`slack-emulator: request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a string argument; Slack treats an empty string like a missing one. */
export function stringArg(args: JsonObject, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads a boolean argument the way Slack does: true, "true" and "1" are true. */
export function boolArg(args: JsonObject, name: string): boolean {
  const value = args[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}
