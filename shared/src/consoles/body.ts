import type { BodyValue, ConsoleRequest } from './types';

export type BodyObject = { [key: string]: BodyValue };

export const isBodyObject = (value: BodyValue | undefined): value is BodyObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): BodyValue | undefined {
  try {
    // JSON.parse makes `__proto__` an own key, never a prototype, so lookups below stay safe.
    const value: unknown = JSON.parse(text);
    return value as BodyValue;
  } catch {
    return undefined;
  }
}

/**
 * The value a JSON text inside a string holds, or undefined. Consoles wrap the real call's body in a
 * string (the AWS proxies' `contentString`); patterns and templates look through it.
 */
export function embeddedJson(value: BodyValue | undefined): BodyValue | undefined {
  if (typeof value !== 'string') return undefined;
  const first = value.trimStart()[0];
  return first === '{' || first === '[' ? parseJson(value) : undefined;
}

/** A form body as a map; a key given more than once maps to the list of its values. */
function parseForm(text: string): BodyObject {
  const values = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(text)) values.set(key, [...(values.get(key) ?? []), value]);
  return Object.fromEntries(
    [...values].map(([key, list]): [string, BodyValue] => [key, list.length === 1 ? (list[0] ?? '') : list]),
  );
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function typeFromHeaders(headers: Record<string, string>): ConsoleRequest['bodyType'] {
  const type = headerValue(headers, 'content-type')?.toLowerCase() ?? '';
  // application/json, application/x-amz-json-1.1, application/merge-patch+json …
  if (/[/+.-]json\b/.test(type)) return 'json';
  if (type.startsWith('application/x-www-form-urlencoded')) return 'form';
  return undefined;
}

const FORM_LIKE = /^[^\s=&]+=[^\s]*$/;

/**
 * The parsed body: by `bodyType`, else by Content-Type, else JSON when it parses and a form when it
 * looks like one (consoles send JSON as text/plain to skip CORS preflights). `text` is never parsed.
 */
export function parseBody(request: ConsoleRequest): BodyValue | undefined {
  const { body } = request;
  if (body === undefined || body === '') return undefined;
  switch (request.bodyType ?? typeFromHeaders(request.headers)) {
    case 'json':
      return parseJson(body);
    case 'form':
      return parseForm(body);
    case 'text':
      return undefined;
    case undefined: {
      const json = parseJson(body);
      if (json !== undefined) return json;
      return FORM_LIKE.test(body) ? parseForm(body) : undefined;
    }
  }
}
