/**
 * The background's held requests: submit, wait for the decision, spend the grant, release or refuse.
 * Every step is written to `storage.session` before it is acted on, so when the browser stops the
 * service worker mid-wait, the next wake-up (a heartbeat from the page, an alarm) picks each hold up
 * where it was: a submission is repeated under the same Idempotency-Key, a wait is resumed from the
 * request last seen. Nothing here acts on what a page says about a decision: only the server decides.
 */
import { matchConsoleRequest } from '@countersign/shared/consoles';
import type { ActionHandle, ActionRequest } from '@countersign/shared/sdk';
import { ActionNotApproved, Countersign, CountersignError } from '@countersign/shared/sdk';
import type { Runtime } from 'webextension-polyfill';
import { endLift, liftFor } from './backstop';
import { copilotById } from './copilots';
import { actionInputFor } from './describe';
import type { HoldOutcome, HoldView } from './holds-model';
import { FINAL_STATES } from './holds-model';
import { tell } from './messages';
import { oneAtATime } from './one-at-a-time';
import type { PageRequest } from './page-protocol';
import { activeRules, refreshRules } from './rules-state';
import type { Hold, Pairing } from './storage';
import { holdsItem, pairingItem } from './storage';
import { approvedSentence, refusedSentence } from './wording';

/** A finished hold stays visible (overlay, popup) this long. */
const KEEP_FINISHED_MS = 120_000;
/** Long-poll length: under the 30 s a browser lets an idle service worker live. */
const POLL_SECONDS = 20;
/** How long network trouble may last before a held request fails closed. */
const SUBMIT_RETRY = { maxElapsedMs: 4_000, initialDelayMs: 200, maxDelayMs: 1_000 };
const WAIT_RETRY = { maxElapsedMs: 15_000, initialDelayMs: 250, maxDelayMs: 2_000 };

const FIX_PAIRING =
  'Open the Countersign extension options and pair it: a code from /approvals connect in Slack, or a personal key.';
const FIX_SERVER = 'Check that the Countersign server is up and reachable from this browser, then try again.';

// One writer at a time: every change to the holds is a read-modify-write of one storage item.
const serially = oneAtATime();

/** Holds whose wait runs in this service worker instance (a restart starts with none). */
const following = new Set<string>();

export function viewOf(hold: Hold): HoldView {
  const { input: _input, digest: _digest, request: _request, ...view } = hold;
  return view;
}

async function allHolds(): Promise<Record<string, Hold>> {
  return holdsItem.getValue();
}

/** Applies a change to one hold; `changed` is false when the hold is gone or `patch` declined. */
function patchHold(
  holdId: string,
  patch: (hold: Hold) => Partial<Hold> | undefined,
): Promise<{ hold: Hold | undefined; changed: boolean }> {
  return serially(async () => {
    const holds = await allHolds();
    const hold = holds[holdId];
    const change = hold && patch(hold);
    if (!hold || !change) return { hold, changed: false };
    const next = { ...hold, ...change };
    const now = Date.now();
    const kept: Record<string, Hold> = {};
    for (const [id, h] of Object.entries({ ...holds, [holdId]: next })) {
      if (!FINAL_STATES.has(h.state) || now - (h.finishedAt ?? now) < KEEP_FINISHED_MS) kept[id] = h;
    }
    await holdsItem.setValue(kept);
    return { hold: next, changed: true };
  });
}

function addHold(hold: Hold): Promise<Hold> {
  return serially(async () => {
    const holds = await allHolds();
    const existing = holds[hold.holdId];
    if (existing) return existing;
    await holdsItem.setValue({ ...holds, [hold.holdId]: hold });
    return hold;
  });
}

/** Tells the tab's top frame (which draws the overlay) the tab's holds. */
async function showTab(tabId: number): Promise<void> {
  await tell(tabId, 0, { type: 'holds', holds: await holdViews(tabId) });
}

/** The holds of one tab, or of every tab, oldest first. */
export async function holdViews(tabId?: number): Promise<HoldView[]> {
  return Object.values(await allHolds())
    .filter((h) => tabId === undefined || h.tabId === tabId)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map(viewOf);
}

function fromRequest(request: ActionRequest): Partial<Hold> {
  const change: Partial<Hold> = {
    actionId: request.id,
    request,
    approvals: request.approvals,
    approvers: request.approvers,
  };
  if (request.channel !== undefined) change.channel = request.channel;
  if (request.expiresAt !== undefined) change.expiresAt = request.expiresAt;
  return change;
}

/**
 * Ends a hold: `release` lets the page's request go (the grant is already spent and the block
 * lifted), otherwise the page's call fails. Only the first ending counts.
 */
async function settle(
  holdId: string,
  release: boolean,
  outcome: HoldOutcome,
  message: string,
  fix?: string,
): Promise<void> {
  const { hold, changed } = await patchHold(holdId, (h) =>
    FINAL_STATES.has(h.state)
      ? undefined
      : {
          state: release ? 'released' : 'refused',
          outcome,
          message,
          finishedAt: Date.now(),
          ...(fix && { fix }),
        },
  );
  if (!hold || !changed) {
    // Another ending got there first (a cancel, say): a lift made for this one must not stay.
    if (release) await endLift(holdId);
    return;
  }
  const delivered = await tell(hold.tabId, hold.frameId, {
    type: 'decision',
    holdId,
    release,
    outcome,
    message,
  });
  if (release && !delivered) await endLift(holdId);
  await showTab(hold.tabId);
}

function clientFor(pairing: Pairing, retry: typeof SUBMIT_RETRY): Countersign {
  return new Countersign({ url: pairing.serverUrl, key: pairing.key, pollSeconds: POLL_SECONDS, retry });
}

function troubleMessage(pairing: Pairing, error: unknown, doing: string): string {
  if (error instanceof CountersignError && error.status === 0 && error.code === 'unavailable')
    return `The Countersign server at ${pairing.serverUrl} cannot be reached ${doing}, so the action was not sent.`;
  const text = error instanceof Error ? error.message : String(error);
  return `Countersign refused the request ${doing}: ${text}. The action was not sent.`;
}

/** A page's request arrives: match it again here, then submit it (or refuse it at once). */
export async function startHold(
  message: { holdId: string; request: PageRequest; copilot?: string },
  sender: Runtime.MessageSender,
): Promise<HoldView> {
  const existing = (await allHolds())[message.holdId];
  if (existing) return viewOf(existing);
  const tabId = sender.tab?.id ?? -1;
  const frameId = sender.frameId ?? 0;
  const { request } = message;
  const copilot = copilotById(message.copilot);
  const base: Hold = {
    holdId: message.holdId,
    tabId,
    frameId,
    action: '',
    method: request.method.toUpperCase(),
    url: request.url,
    state: 'submitting',
    createdAt: Date.now(),
    ...(copilot && { copilot: copilot.name }),
  };
  let rules = await activeRules();
  const pairing = await pairingItem.getValue();
  if (pairing && rules.from === 'bundled') rules = await refreshRules();
  const match = matchConsoleRequest(rules.compiled, request);
  if (!match) {
    // The page matched with rules the background no longer has: nothing holds this request now.
    await tell(tabId, frameId, {
      type: 'decision',
      holdId: base.holdId,
      release: true,
      outcome: 'allowed',
      message: '',
    });
    return { ...base, action: '(no rule)', state: 'released', outcome: 'allowed' };
  }
  const hold: Hold = { ...base, action: match.action };
  if (match.resource !== undefined) hold.resource = match.resource;
  if (match.environment !== undefined) hold.environment = match.environment;
  if (!pairing) {
    await addHold(hold);
    await settle(
      hold.holdId,
      false,
      'failed',
      'Countersign is not paired with a server, so this action is held back.',
      FIX_PAIRING,
    );
    return viewOf((await allHolds())[hold.holdId] ?? hold);
  }
  if (rules.from === 'bundled') {
    await addHold(hold);
    await settle(
      hold.holdId,
      false,
      'failed',
      `The console rules could not be loaded from ${pairing.serverUrl}, so this action is held back.`,
      FIX_SERVER,
    );
    return viewOf((await allHolds())[hold.holdId] ?? hold);
  }
  hold.input = await actionInputFor(
    match,
    request,
    { pageUrl: sender.tab?.url, frameUrl: sender.url },
    message.copilot,
  );
  const added = await addHold(hold);
  await showTab(tabId);
  void submit(added.holdId);
  return viewOf(added);
}

async function submit(holdId: string): Promise<void> {
  const hold = (await allHolds())[holdId];
  const pairing = await pairingItem.getValue();
  if (!hold?.input || FINAL_STATES.has(hold.state)) return;
  if (!pairing)
    return settle(
      holdId,
      false,
      'failed',
      'Countersign was unpaired while this action was held.',
      FIX_PAIRING,
    );
  let handle: ActionHandle;
  try {
    handle = await clientFor(pairing, SUBMIT_RETRY).request(hold.input, { idempotencyKey: holdId });
  } catch (error) {
    return settle(
      holdId,
      false,
      'failed',
      troubleMessage(pairing, error, 'when asked to review it'),
      FIX_SERVER,
    );
  }
  const { hold: now } = await patchHold(holdId, (h) => ({
    ...fromRequest(handle.request),
    digest: handle.digest,
    ...(h.state === 'submitting' && handle.request.status === 'pending' && { state: 'waiting' as const }),
  }));
  if (now && FINAL_STATES.has(now.state)) {
    // Cancelled from the overlay while the submission was on its way: withdraw it on the server too.
    if (handle.request.status === 'pending') await handle.cancel().catch(() => undefined);
    return;
  }
  await showTab(hold.tabId);
  // Waiting rides out longer trouble than submitting: the same request, a longer retry budget.
  await follow(holdId, clientFor(pairing, WAIT_RETRY).resume(handle.request, handle.digest), pairing);
}

/** Waits for the decision; on approval spends the grant, lifts the block for this one request, releases it. */
async function follow(holdId: string, handle: ActionHandle, pairing: Pairing): Promise<void> {
  if (following.has(holdId)) return;
  following.add(holdId);
  try {
    const approved = await handle.wait({
      onUpdate: (request) => {
        void patchHold(holdId, () => fromRequest(request)).then(({ hold }) => hold && showTab(hold.tabId));
      },
    });
    const hold = (await allHolds())[holdId];
    if (!hold || FINAL_STATES.has(hold.state)) return;
    await handle.redeem();
    await liftFor(holdId, hold.method, hold.url, hold.tabId);
    await settle(
      holdId,
      true,
      approved.status === 'allowed' ? 'allowed' : 'approved',
      approvedSentence(approved),
    );
  } catch (error) {
    if (error instanceof ActionNotApproved) {
      await settle(holdId, false, error.outcome, refusedSentence(error.request));
    } else {
      await settle(holdId, false, 'failed', troubleMessage(pairing, error, 'while it was held'), FIX_SERVER);
    }
  } finally {
    following.delete(holdId);
  }
}

/** Picks up every unfinished hold after a service-worker restart (idempotent). */
export async function resumeAll(): Promise<void> {
  const pairing = await pairingItem.getValue();
  for (const hold of Object.values(await allHolds())) {
    if (FINAL_STATES.has(hold.state) || following.has(hold.holdId)) continue;
    if (!pairing) {
      await settle(
        hold.holdId,
        false,
        'failed',
        'Countersign was unpaired while this action was held.',
        FIX_PAIRING,
      );
    } else if (hold.request && hold.digest) {
      const handle = clientFor(pairing, WAIT_RETRY).resume(hold.request, hold.digest);
      void follow(hold.holdId, handle, pairing);
    } else {
      void submit(hold.holdId);
    }
  }
}

export async function pendingCount(): Promise<number> {
  return Object.values(await allHolds()).filter((h) => !FINAL_STATES.has(h.state)).length;
}

/** Withdraws a held request at the person's word (the overlay's Cancel) or because its tab closed. */
export async function cancelHold(holdId: string, why: string): Promise<HoldView | null> {
  const hold = (await allHolds())[holdId];
  if (!hold) return null;
  if (FINAL_STATES.has(hold.state)) return viewOf(hold);
  const pairing = await pairingItem.getValue();
  if (pairing && hold.request && hold.digest) {
    try {
      await clientFor(pairing, SUBMIT_RETRY).resume(hold.request, hold.digest).cancel();
    } catch (error) {
      // Decided in the meantime (not_pending): the wait reports the decision; say nothing here.
      if (error instanceof CountersignError && error.code === 'not_pending') return viewOf(hold);
    }
  }
  await settle(holdId, false, 'cancelled', why);
  const after = (await allHolds())[holdId];
  return after ? viewOf(after) : null;
}

export async function cancelTab(tabId: number): Promise<void> {
  for (const hold of Object.values(await allHolds())) {
    if (hold.tabId === tabId && !FINAL_STATES.has(hold.state))
      await cancelHold(hold.holdId, 'Cancelled: the tab that asked was closed.');
  }
}

/** The page reports the released request sent: close the gap in the backstop at once. */
export async function requestSent(holdId: string): Promise<void> {
  await endLift(holdId);
}
