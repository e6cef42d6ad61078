/** The background's view of the console rules: the server's, else the bundled pack; and the backstop. */
import type { CompiledConsoleRules } from '@countersign/shared/consoles';
import type { BackstopReport } from './backstop';
import { installBlocks } from './backstop';
import { BUNDLED_RULES, compileRules } from './rules';
import { fetchRules } from './server';
import { pairingItem, rulesErrorItem, rulesItem } from './storage';

export type ActiveRules = {
  version: string;
  from: 'server' | 'bundled';
  compiled: CompiledConsoleRules;
};

let cached: ActiveRules | undefined;
let lastBackstop: BackstopReport | undefined;

export async function activeRules(): Promise<ActiveRules> {
  const stored = await rulesItem.getValue();
  const version = stored?.version ?? BUNDLED_RULES.version;
  if (cached?.version === version) return cached;
  const next: ActiveRules = {
    version,
    from: stored ? 'server' : 'bundled',
    compiled: compileRules(stored?.consoles ?? BUNDLED_RULES.consoles),
  };
  try {
    lastBackstop = await installBlocks(next.compiled);
    cached = next; // kept only once the block rules are in place, so a failed install is retried
  } catch (error) {
    lastBackstop = {
      blocked: [],
      broadened: [],
      unenforced: [{ rule: '(all)', why: `block rules not installed: ${String(error)}` }],
    };
  }
  return next;
}

export function backstopReport(): BackstopReport | undefined {
  return lastBackstop;
}

/**
 * Fetches the rules from the paired server and, when they changed, keeps them and rebuilds the
 * backstop. On failure the last rules stay in force and the reason is kept for the popup.
 */
export async function refreshRules(): Promise<ActiveRules> {
  const pairing = await pairingItem.getValue();
  if (!pairing) return activeRules();
  try {
    const rules = await fetchRules(pairing.serverUrl, pairing.key);
    const stored = await rulesItem.getValue();
    if (stored?.version !== rules.version) {
      await rulesItem.setValue({ ...rules, fetchedAt: new Date().toISOString() });
    }
    await rulesErrorItem.setValue(null);
  } catch (error) {
    await rulesErrorItem.setValue(error instanceof Error ? error.message : String(error));
  }
  return activeRules();
}

/** Forgets the server's rules (on unpairing): the bundled pack takes over. */
export async function dropServerRules(): Promise<void> {
  await rulesItem.removeValue();
  await rulesErrorItem.removeValue();
  await activeRules();
}
