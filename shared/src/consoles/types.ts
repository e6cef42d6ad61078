import type { ConsoleRule } from '../policy/types';

/** One request as the page was about to send it. `url` must be absolute (resolve it against the page). */
export type ConsoleRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** How to read `body`; when absent, the Content-Type header decides, then a look at the body. */
  bodyType?: 'json' | 'form' | 'text';
};

/** Which console rule a request matched, and the action request it stands for. */
export type ConsoleMatch = { rule: string; action: string; resource?: string; environment?: string };

export const URL_COMPONENTS = [
  'protocol',
  'username',
  'password',
  'hostname',
  'port',
  'pathname',
  'search',
  'hash',
] as const;
export type URLComponent = (typeof URL_COMPONENTS)[number];

export type URLPatternComponentResult = { input: string; groups: Record<string, string | undefined> };
export type URLPatternResultLike = Record<URLComponent, URLPatternComponentResult>;

/**
 * The part of the web-standard URLPattern this code uses: `exec`, and each component's normalized
 * pattern string (read by the network backstop). Chrome has URLPattern natively; elsewhere pass
 * `URLPattern` from `urlpattern-polyfill/urlpattern`.
 */
export type URLPatternLike = Readonly<Record<URLComponent, string>> & {
  exec(input: string): URLPatternResultLike | null | undefined;
};
export type URLPatternCtor = new (pattern: string, options: { ignoreCase: boolean }) => URLPatternLike;

/** A parsed JSON or form body, and any value inside one. */
export type BodyValue = string | number | boolean | null | BodyValue[] | { [key: string]: BodyValue };

/** A console rule that could not be compiled; the extension should show these rather than guess. */
export type ConsoleRuleProblem = { rule: string; message: string };

export type { ConsoleRule };
