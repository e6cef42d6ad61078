// The console-rule engine the browser extension runs: which page request is which action request.
// Browser-safe: web-standard APIs and picomatch only; URLPattern is passed in.
export type { BackstopCondition, NetworkBackstopRule } from './backstop';
export { networkBackstopRules } from './backstop';
export type { CompiledConsoleRule, CompiledConsoleRules } from './compile';
export { compileConsoleRules } from './compile';
export { consoleRequestMayMatch, matchConsoleRequest } from './match';
export type {
  BodyValue,
  ConsoleMatch,
  ConsoleRequest,
  ConsoleRule,
  ConsoleRuleProblem,
  URLPatternCtor,
  URLPatternLike,
  URLPatternResultLike,
} from './types';
export { urlPatternRegex } from './url-regex';
