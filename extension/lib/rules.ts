import bundled from 'virtual:countersign/default-pack';
import type { CompiledConsoleRules, ConsoleRule, URLPatternCtor } from '@countersign/shared/consoles';
import { compileConsoleRules } from '@countersign/shared/consoles';
import { URLPattern as URLPatternPolyfill } from 'urlpattern-polyfill/urlpattern';

/** Chrome's own URLPattern; Firefox (before 142) has none, so the polyfill stands in. */
const URLPatternImpl = ((globalThis as { URLPattern?: unknown }).URLPattern ??
  URLPatternPolyfill) as unknown as URLPatternCtor;

export function compileRules(consoles: readonly ConsoleRule[]): CompiledConsoleRules {
  return compileConsoleRules(consoles, { URLPattern: URLPatternImpl });
}

/**
 * The default console pack as built into the extension: what it matches with until the server's
 * rules arrive. A match against it is refused (fail closed), never submitted on its say-so alone.
 */
export const BUNDLED_RULES: { version: string; consoles: ConsoleRule[] } = bundled;
