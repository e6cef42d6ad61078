import { URLPattern as Polyfill } from 'urlpattern-polyfill/urlpattern';
import type { URLPatternCtor } from '../../src/consoles/index';

// Node 20 has no URLPattern; the engine takes one injected. The tests use the platform's where there
// is one (a newer Node, like the browsers the extension runs in), else the polyfill.
const native: unknown = Reflect.get(globalThis, 'URLPattern');
export const URLPattern: URLPatternCtor =
  typeof native === 'function' ? (native as URLPatternCtor) : (Polyfill as unknown as URLPatternCtor);

export function urlPattern(): URLPatternCtor {
  return URLPattern;
}
