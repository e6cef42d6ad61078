import type { Matcher } from '../policy/glob';
import { compileGlobs } from '../policy/glob';
import type { BodyTest } from './body-pattern';
import { compileBodyPattern } from './body-pattern';
import type { Template } from './template';
import { compileTemplate } from './template';
import type { ConsoleRule, ConsoleRuleProblem, URLPatternCtor, URLPatternLike } from './types';

export type CompiledBody = { kind: 'regex'; regex: RegExp } | { kind: 'pattern'; test: BodyTest };

export type CompiledConsoleRule = {
  readonly rule: ConsoleRule;
  readonly url: URLPatternLike;
  /** Upper-cased; undefined means any method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** Lower-cased header name and the glob its value must match. */
  readonly headers: readonly (readonly [string, Matcher])[];
  readonly body: CompiledBody | undefined;
  readonly resource: Template | undefined;
  readonly environment: Template | undefined;
};

export type CompiledConsoleRules = {
  /** In the policy's order: the first that matches wins. */
  readonly rules: readonly CompiledConsoleRule[];
  /** Rules left out because they did not compile; the extension should show these. */
  readonly problems: readonly ConsoleRuleProblem[];
};

function compileBody(body: ConsoleRule['match']['body']): CompiledBody | undefined {
  if (body === undefined) return undefined;
  // Case-insensitive, as the rest of the match: `i` adds no syntax, so what parsePolicy accepted compiles.
  if (typeof body === 'string') return { kind: 'regex', regex: new RegExp(body, 'i') };
  return { kind: 'pattern', test: compileBodyPattern(body) };
}

function compileRule(rule: ConsoleRule, URLPattern: URLPatternCtor): CompiledConsoleRule {
  const { match } = rule;
  return {
    rule,
    // ARM paths (and others) vary in case; URLPattern's ignoreCase covers pathname, search and hash.
    url: new URLPattern(match.url, { ignoreCase: true }),
    methods: match.method ? new Set(match.method.map((m) => m.toUpperCase())) : undefined,
    headers: Object.entries(match.headers ?? {}).map(
      ([name, glob]) => [name.toLowerCase(), compileGlobs('plain', [glob], true)] as const,
    ),
    body: compileBody(match.body),
    resource: rule.resource === undefined ? undefined : compileTemplate(rule.resource),
    environment: rule.environment === undefined ? undefined : compileTemplate(rule.environment),
  };
}

/**
 * Compiles console rules once, for many requests. Never throws: a rule that does not compile (a URL
 * pattern URLPattern refuses, say) is left out and named in `problems`, so one bad rule cannot switch
 * off the others. `URLPattern` is injected because Node 20 has none and Firefox only lately.
 */
export function compileConsoleRules(
  rules: readonly ConsoleRule[],
  deps: { URLPattern: URLPatternCtor },
): CompiledConsoleRules {
  const compiled: CompiledConsoleRule[] = [];
  const problems: ConsoleRuleProblem[] = [];
  for (const rule of rules) {
    try {
      compiled.push(compileRule(rule, deps.URLPattern));
    } catch (error) {
      problems.push({ rule: rule.name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { rules: compiled, problems };
}
