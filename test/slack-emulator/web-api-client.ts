import { isObject } from './block-kit-validator';
import type { Json, JsonObject } from './types';

export interface ApiResult {
  status: number;
  headers: Headers;
  body: JsonObject;
}

export interface CallOptions {
  /** Defaults to the emulator's bot token; null sends no token at all. */
  token?: string | null;
  /** Send application/json instead of the form encoding @slack/web-api uses. */
  json?: boolean;
}

/**
 * Calls a Web API method over real HTTP the way @slack/web-api's WebClient does: POST to `${apiUrl}${method}`,
 * a Bearer token, a form-encoded body in which every value that is not a string, number or boolean is
 * JSON-stringified (WebClient.serializeApiCallOptions). Swap for the real WebClient once @slack/web-api is a
 * dependency of this package.
 */
export async function callApi(
  emulator: { apiUrl: string; options: { botToken: string } },
  method: string,
  args: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<ApiResult> {
  const token = options.token === undefined ? emulator.options.botToken : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string;
  if (options.json === true) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(args);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = formEncode(args);
  }
  const res = await fetch(`${emulator.apiUrl}${method}`, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, body: await readJson(res) };
}

/** POSTs JSON to a response_url, as Bolt's respond() does. */
export async function postToResponseUrl(url: string, message: JsonObject): Promise<ApiResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
  return { status: res.status, headers: res.headers, body: await readJson(res) };
}

export function formEncode(args: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    const primitive = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    form.set(key, primitive ? String(value) : JSON.stringify(value));
  }
  return form.toString();
}

async function readJson(res: Response): Promise<JsonObject> {
  const parsed = (await res.json()) as Json;
  if (!isObject(parsed)) throw new Error(`expected a JSON object, got ${JSON.stringify(parsed)}`);
  return parsed;
}

/** Reads a nested field for assertions: path('message.ts'). */
export function path(value: Json | undefined, dotted: string): Json | undefined {
  let current: Json | undefined = value;
  for (const key of dotted.split('.')) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}
