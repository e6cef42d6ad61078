/**
 * The bridge: the extension's content script in every frame (ISOLATED world). It hands the page hook
 * a private port and the console rules, passes held requests to the background, and passes the
 * background's decisions back — only for holds this frame made. In the top frame it draws the overlay
 * and, while anything is held, checks in with the background every few seconds: that wakes a stopped
 * service worker, which then picks its holds up again.
 */
import type { HoldView } from './holds-model';
import { FINAL_STATES } from './holds-model';
import { ask, onNotice } from './messages';
import { Overlay } from './overlay';
import type { ToPage } from './page-protocol';
import { PORT_HANDOFF, parseFromPage } from './page-protocol';
import { BUNDLED_RULES } from './rules';
import { rulesItem } from './storage';

const HEARTBEAT_MS = 5_000;

export function startBridge(win: Window): void {
  const channel = new MessageChannel();
  const port = channel.port1;
  win.postMessage({ [PORT_HANDOFF]: true }, '*', [channel.port2]);

  const mine = new Set<string>();
  /** Holds of this frame that the background has taken on: it must know them until they end. */
  const acknowledged = new Set<string>();
  const toPage = (message: ToPage) => port.postMessage(message);

  void rulesItem
    .getValue()
    .then((rules) => toPage({ type: 'rules', consoles: (rules ?? BUNDLED_RULES).consoles }));
  rulesItem.watch((rules) => toPage({ type: 'rules', consoles: (rules ?? BUNDLED_RULES).consoles }));

  const deliver = (holdId: string, release: boolean, outcome: string, message: string) => {
    acknowledged.delete(holdId);
    if (!mine.delete(holdId)) return;
    toPage(release ? { type: 'release', holdId } : { type: 'refuse', holdId, outcome, message });
  };

  port.onmessage = (event: MessageEvent) => {
    const message = parseFromPage(event.data);
    if (!message) return;
    if (message.type === 'sent') {
      void ask('sent', { holdId: message.holdId });
      return;
    }
    mine.add(message.holdId);
    const { holdId, request, copilot } = message;
    ask('hold', { holdId, request, ...(copilot && { copilot }) })
      .then(() => {
        acknowledged.add(holdId);
        startHeartbeat();
      })
      .catch(() =>
        deliver(
          holdId,
          false,
          'failed',
          'The Countersign extension did not answer, so the action was held back.',
        ),
      );
  };

  // The page that asked is going away: nothing is left to send an approved request, so withdraw it.
  win.addEventListener('pagehide', () => {
    for (const holdId of mine) void ask('cancel', { holdId, left: true }).catch(() => undefined);
  });

  let overlay: Overlay | undefined;
  const isTop = win === win.top;
  const show = (holds: HoldView[]) => {
    if (!isTop || (holds.length === 0 && !overlay)) return;
    overlay ??= new Overlay(win.document, (holdId) => void ask('cancel', { holdId }));
    overlay.render(holds);
  };

  onNotice((notice) => {
    if (notice.type === 'decision') deliver(notice.holdId, notice.release, notice.outcome, notice.message);
    else show(notice.holds);
  });

  // Reconciles with the background: a decision sent while this frame was busy is not lost.
  let timer: ReturnType<typeof setInterval> | undefined;
  const startHeartbeat = () => {
    timer ??= setInterval(() => void beat(), HEARTBEAT_MS);
  };
  async function beat(): Promise<void> {
    const holds = await ask('tabHolds', {}).catch(() => undefined);
    if (!holds) return;
    show(holds);
    const known = new Map(holds.map((h) => [h.holdId, h]));
    for (const holdId of acknowledged) {
      const hold = known.get(holdId);
      if (!mine.has(holdId)) acknowledged.delete(holdId);
      else if (!hold)
        deliver(holdId, false, 'failed', 'Countersign lost track of this request; it was not sent.');
      else if (FINAL_STATES.has(hold.state))
        deliver(holdId, hold.state === 'released', hold.outcome ?? 'failed', hold.message ?? '');
    }
    if (!holds.some((h) => !FINAL_STATES.has(h.state)) && mine.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  if (isTop) {
    const showExisting = () =>
      void ask('tabHolds', {})
        .then((holds) => {
          show(holds.filter((h) => !FINAL_STATES.has(h.state)));
          if (holds.some((h) => !FINAL_STATES.has(h.state))) startHeartbeat();
        })
        .catch(() => undefined);
    if (win.document.readyState === 'loading')
      win.document.addEventListener('DOMContentLoaded', showExisting, { once: true });
    else showExisting();
  }
}
