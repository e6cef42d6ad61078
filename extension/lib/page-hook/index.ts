/**
 * The page-world hook: runs in the page's own JavaScript world (MAIN) at document_start, before any
 * page script, in every frame. A request that a console rule matches is held and handed to the
 * bridge, and goes out unchanged only when the bridge says `release`. Everything else goes straight
 * through: the first look (method and URL) is synchronous, and the body is read only when a rule
 * could match.
 *
 * One module per thing it wraps — `fetch.ts`, `xhr.ts`, `beacon.ts`, `forms.ts` — around one shared
 * step, `hold.ts`. The entrypoint bundles them into one classic script (a MAIN-world content script
 * cannot load modules), and everything here runs synchronously in one call, so the originals in
 * `natives.ts` are the browser's own and every wrapper is in place before the page's first line.
 *
 * This world belongs to the page. Page code can call these wrappers, and could undo them; the hook
 * is what holds requests the console's own code makes, and the network backstop is what stops a
 * page that goes around it. So the hook trusts only its private port, never a `window` message.
 */
import { wrapBeacon } from './beacon';
import { wrapFetch } from './fetch';
import { wrapForms } from './forms';
import { createHolder } from './hold';
import { captureNatives } from './natives';
import { wrapXhr } from './xhr';

export function installPageHook(win: Window & typeof globalThis): void {
  // First, before anything is replaced: the wrappers must never call one another's replacements.
  const natives = captureNatives(win);
  const holder = createHolder(win);
  wrapFetch(win, holder, natives);
  wrapXhr(win, holder, natives);
  wrapBeacon(win, holder, natives);
  wrapForms(win, holder, natives);
}
