/**
 * navigator.sendBeacon: the page is told at once that a gated beacon was queued (a beacon has no
 * answer to wait for); it goes out only if approved, and is dropped if refused.
 */
import { bodyTextAsync } from './body-text';
import type { Holder } from './hold';
import type { Natives } from './natives';

/** The browser sends a beacon when it likes: give it this long before closing the backstop's gap. */
const BEACON_SENT_AFTER_MS = 3_000;

export function wrapBeacon(win: Window & typeof globalThis, holder: Holder, natives: Natives): void {
  const nativeBeacon = natives.sendBeacon;
  if (!nativeBeacon) return;
  win.navigator.sendBeacon = function sendBeacon(url: string | URL, data?: BodyInit | null): boolean {
    const target = holder.absolute(String(url));
    if (holder.passes('POST', target)) return nativeBeacon(url, data);
    void (async () => {
      const held = await holder.gated({ method: 'POST', url: target, headers: {}, via: 'beacon' }, () =>
        bodyTextAsync(data ?? null),
      );
      if (!held) return void nativeBeacon(url, data);
      const { holdId, decision } = holder.hold(held);
      if (!(await decision).release) return;
      const queued = nativeBeacon(url, data);
      setTimeout(() => holder.sent(holdId, queued ? 200 : 0), BEACON_SENT_AFTER_MS);
    })();
    return true;
  };
}
