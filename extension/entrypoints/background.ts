import browser from 'webextension-polyfill';
import { defineBackground } from 'wxt/utils/define-background';
import { endLift, LIFT_ALARM_PREFIX } from '../lib/backstop';
import {
  cancelHold,
  cancelTab,
  holdViews,
  pendingCount,
  requestSent,
  resumeAll,
  startHold,
} from '../lib/holds';
import type { PairResult, Status } from '../lib/messages';
import { serveBackground } from '../lib/messages';
import { activeRules, backstopReport, dropServerRules, refreshRules } from '../lib/rules-state';
import { healthy, normalizeServerUrl, pairWithCode, whoAmI } from '../lib/server';
import { pairingItem, rulesErrorItem } from '../lib/storage';

const RULES_ALARM = 'countersign:rules';
const WAKE_ALARM = 'countersign:wake';

async function pair(serverUrlText: string, secret: string): Promise<PairResult> {
  try {
    const serverUrl = normalizeServerUrl(serverUrlText);
    const given = secret.trim();
    if (!given)
      return { ok: false, error: 'Give a pairing code from /approvals connect, or a personal key.' };
    const paired = given.startsWith('csk_')
      ? { key: given, user: await whoAmI(serverUrl, given) }
      : await pairWithCode(serverUrl, given);
    await pairingItem.setValue({
      serverUrl,
      key: paired.key,
      user: paired.user,
      pairedAt: new Date().toISOString(),
    });
    const rules = await refreshRules();
    if (rules.from !== 'server') {
      const error = await rulesErrorItem.getValue();
      return {
        ok: false,
        error: `Paired, but the console rules could not be loaded: ${error ?? 'unknown error'}`,
      };
    }
    return { ok: true, user: paired.user };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

async function status(): Promise<Status> {
  const pairing = await pairingItem.getValue();
  const rules = await activeRules();
  const error = await rulesErrorItem.getValue();
  const result: Status = {
    paired: pairing !== null,
    health: pairing ? ((await healthy(pairing.serverUrl)) ? 'ok' : 'unreachable') : 'not paired',
    rules: {
      version: rules.version,
      count: rules.compiled.rules.length,
      from: rules.from,
      problems: rules.compiled.problems.map((p) => `${p.rule}: ${p.message}`),
      blocked: backstopReport()?.blocked.length ?? 0,
      broadened: backstopReport()?.broadened ?? [],
      unenforced: (backstopReport()?.unenforced ?? []).map((u) => `${u.rule}: ${u.why}`),
      ...(error && { error }),
    },
    holds: await holdViews(),
  };
  if (pairing) {
    result.serverUrl = pairing.serverUrl;
    result.user = pairing.user;
  }
  return result;
}

/** Keeps waking the worker while anything is held, so a stopped worker picks its holds up again. */
async function wake(): Promise<void> {
  await endLift();
  await resumeAll();
  if ((await pendingCount()) === 0) await browser.alarms.clear(WAKE_ALARM);
}

export default defineBackground(() => {
  serveBackground({
    hold: async (message, sender) => {
      const view = await startHold(message, sender);
      await browser.alarms.create(WAKE_ALARM, { periodInMinutes: 0.5 });
      return view;
    },
    sent: async ({ holdId }) => {
      await requestSent(holdId);
      return null;
    },
    cancel: async ({ holdId, left }, sender) => {
      const mine = (await holdViews(sender.tab?.id ?? -1)).some((h) => h.holdId === holdId);
      if (!mine) return null;
      return cancelHold(
        holdId,
        left
          ? 'Cancelled: the page that asked was closed or left.'
          : 'Cancelled from the page before anyone decided.',
      );
    },
    tabHolds: async (_message, sender) => {
      void wake();
      return holdViews(sender.tab?.id ?? -1);
    },
    status: () => status(),
    pair: ({ serverUrl, secret }) => pair(serverUrl, secret),
    unpair: async () => {
      await pairingItem.removeValue();
      await dropServerRules();
      return null;
    },
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RULES_ALARM) void refreshRules();
    if (alarm.name === WAKE_ALARM) void wake();
    if (alarm.name.startsWith(LIFT_ALARM_PREFIX)) void endLift();
  });
  browser.tabs.onRemoved.addListener((tabId) => void cancelTab(tabId));
  browser.runtime.onInstalled.addListener(() => {
    void browser.alarms.create(RULES_ALARM, { periodInMinutes: 5 });
    void refreshRules();
  });
  browser.runtime.onStartup.addListener(() => void refreshRules());

  // Every start of the worker: the backstop in place (it is also kept across restarts), holds resumed.
  void activeRules().then(() => wake());
});
