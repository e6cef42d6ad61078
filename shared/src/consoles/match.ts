import { parseBody } from './body';
import type { Witnesses } from './body-pattern';
import type { CompiledConsoleRule, CompiledConsoleRules } from './compile';
import { canonicalConsoleResource } from './resource';
import type { TemplateContext } from './template';
import type { BodyValue, ConsoleMatch, ConsoleRequest, URLPatternResultLike } from './types';

// Where a `{name}` is looked up first when two components use the same group name or number.
const GROUP_ORDER = [
  'pathname',
  'hostname',
  'search',
  'hash',
  'port',
  'protocol',
  'username',
  'password',
] as const;

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function groupsOf(result: URLPatternResultLike): Map<string, string> {
  const groups = new Map<string, string>();
  for (const component of GROUP_ORDER) {
    for (const [name, value] of Object.entries(result[component]?.groups ?? {})) {
      // An optional group that took no part is undefined: missing, unlike one that matched nothing.
      if (value !== undefined && !groups.has(name)) groups.set(name, decode(value));
    }
  }
  return groups;
}

function exec(rule: CompiledConsoleRule, url: string): URLPatternResultLike | undefined {
  try {
    return rule.url.exec(url) ?? undefined;
  } catch {
    // A relative or malformed URL matches nothing.
    return undefined;
  }
}

/** Reads and parses the body at most once per request, and only when a rule needs it. */
function lazyBody(request: ConsoleRequest): () => BodyValue | undefined {
  let parsed: { value: BodyValue | undefined } | undefined;
  return () => {
    parsed ??= { value: parseBody(request) };
    return parsed.value;
  };
}

function bodyMatches(
  rule: CompiledConsoleRule,
  request: ConsoleRequest,
  body: () => BodyValue | undefined,
  witnesses: Witnesses,
): boolean {
  if (!rule.body) return true;
  if (rule.body.kind === 'regex') return request.body !== undefined && rule.body.regex.test(request.body);
  const value = body();
  return value !== undefined && rule.body.test(value, '', witnesses);
}

function queryOf(url: string): URLSearchParams {
  try {
    return new URL(url).searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/**
 * Whether any rule could match a request with this method and URL, before headers and body are read.
 * The page hook asks this first, so that the many requests no rule names go out without waiting for
 * their bodies to be read.
 */
export function consoleRequestMayMatch(compiled: CompiledConsoleRules, method: string, url: string): boolean {
  const upper = method.toUpperCase();
  return compiled.rules.some(
    (rule) => (!rule.methods || rule.methods.has(upper)) && exec(rule, url) !== undefined,
  );
}

/**
 * The first rule that matches the request — method, URL pattern, every header glob, then the body —
 * with its resource and environment rendered. A field whose template has a part with no value is
 * left out.
 */
export function matchConsoleRequest(
  compiled: CompiledConsoleRules,
  request: ConsoleRequest,
): ConsoleMatch | undefined {
  const method = request.method.toUpperCase();
  const headers = new Map(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const body = lazyBody(request);
  for (const rule of compiled.rules) {
    if (rule.methods && !rule.methods.has(method)) continue;
    const result = exec(rule, request.url);
    if (!result) continue;
    if (!rule.headers.every(([name, glob]) => glob(headers.get(name) ?? ''))) continue;
    const witnesses: Witnesses = new Map();
    if (!bodyMatches(rule, request, body, witnesses)) continue;
    const context: TemplateContext = {
      groups: groupsOf(result),
      query: queryOf(request.url),
      headers,
      body: body(),
      witnesses,
    };
    const match: ConsoleMatch = { rule: rule.rule.name, action: rule.rule.action };
    const rendered = rule.resource?.(context);
    const resource = rendered === undefined ? undefined : canonicalConsoleResource(rendered);
    const environment = rule.environment?.(context);
    if (resource) match.resource = resource;
    if (environment !== undefined) match.environment = environment;
    return match;
  }
  return undefined;
}
