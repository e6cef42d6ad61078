import type { URLPatternCtor } from '../../src/consoles/index';

// Node 20 has no URLPattern. The engine takes one injected; these tests use the platform's when there
// is one, else urlpattern-polyfill when it is installed. Without either, the tests that match URLs
// are skipped and say why; nothing stands in for URLPattern.
const POLYFILL = 'urlpattern-polyfill/urlpattern';

async function load(): Promise<URLPatternCtor | undefined> {
  const native: unknown = Reflect.get(globalThis, 'URLPattern');
  if (typeof native === 'function') return native as URLPatternCtor;
  try {
    const module: unknown = await import(/* @vite-ignore */ POLYFILL);
    const ctor: unknown =
      typeof module === 'object' && module !== null ? Reflect.get(module, 'URLPattern') : undefined;
    return typeof ctor === 'function' ? (ctor as URLPatternCtor) : undefined;
  } catch {
    return undefined;
  }
}

export const URLPattern = await load();

/** Appended to the titles of suites that need URLPattern, so a skipped run says why. */
export const needsURLPattern = URLPattern
  ? ''
  : ' [skipped: no URLPattern in this Node and urlpattern-polyfill is not installed; ' +
    'pnpm --filter @countersign/shared add -D urlpattern-polyfill@10.1.0]';

export function urlPattern(): URLPatternCtor {
  if (!URLPattern) throw new Error(`no URLPattern${needsURLPattern}`);
  return URLPattern;
}
