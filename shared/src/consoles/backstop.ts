import type { CompiledConsoleRules } from './compile';
import { urlPatternRegex } from './url-regex';

// The methods declarativeNetRequest's `requestMethods` knows; any other falls under its "other".
const DNR_METHODS = new Set(['connect', 'delete', 'get', 'head', 'options', 'patch', 'post', 'put']);

/** A declarativeNetRequest RuleCondition for one rule, less the resource types the extension picks. */
export type BackstopCondition = {
  regexFilter: string;
  isUrlFilterCaseSensitive: false;
  requestMethods?: string[];
};

export type NetworkBackstopRule = {
  rule: string;
  action: string;
} & ({ condition: BackstopCondition } | { condition?: undefined; unsupported: string });

/**
 * The rules a network-layer block can enforce: those matched by method and URL alone. declarativeNetRequest
 * reads neither request bodies nor request headers, so a rule with `body` or `headers` is left to the
 * page-world hold (or blocking webRequest where there is one). Each comes with a DNR condition when its
 * URL pattern has an RE2 form; check it with `declarativeNetRequest.isRegexSupported` before use.
 */
export function networkBackstopRules(compiled: CompiledConsoleRules): NetworkBackstopRule[] {
  return compiled.rules
    .filter(({ rule }) => rule.match.body === undefined && Object.keys(rule.match.headers ?? {}).length === 0)
    .map(({ rule, url, methods }): NetworkBackstopRule => {
      const base = { rule: rule.name, action: rule.action };
      const regex = urlPatternRegex(url);
      if ('unsupported' in regex) return { ...base, unsupported: regex.unsupported };
      const condition: BackstopCondition = { regexFilter: regex.regex, isUrlFilterCaseSensitive: false };
      if (methods) {
        condition.requestMethods = [
          ...new Set([...methods].map((m) => (DNR_METHODS.has(m.toLowerCase()) ? m.toLowerCase() : 'other'))),
        ];
      }
      return { ...base, condition };
    });
}
