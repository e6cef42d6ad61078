/**
 * The network backstop: declarativeNetRequest rules that block, at the network layer, every request
 * a console rule can recognise by method and URL alone — whatever made it (an iframe's fetch, a saved
 * reference, sendBeacon, a worker). The page hook's hold is the way through: when a held request is
 * approved, `liftFor` adds one higher-priority allow rule for exactly that method, URL and tab, and
 * `endLift` removes it as soon as the page reports the request sent (or after LIFT_MS at the latest).
 */
import type { CompiledConsoleRules } from '@countersign/shared/consoles';
import { networkBackstopRules } from '@countersign/shared/consoles';
import type { DeclarativeNetRequest } from 'webextension-polyfill';
import browser from 'webextension-polyfill';
import { withoutCounts } from './dnr-regex';
import { oneAtATime } from './one-at-a-time';
import { liftsItem } from './storage';

const BLOCK_PRIORITY = 1;
const LIFT_PRIORITY = 2;
/** Session rule ids for lifts start here, well clear of the block rules' dynamic ids. */
const LIFT_ID_BASE = 100_000;
export const LIFT_MS = 30_000;

export type BackstopReport = {
  blocked: string[];
  /** Blocked with a broader regex than the rule's own (see `dnr-regex.ts`): names more URLs, never fewer. */
  broadened: string[];
  unenforced: { rule: string; why: string }[];
};

const dnr = () => browser.declarativeNetRequest;
type RequestMethod = NonNullable<DeclarativeNetRequest.RuleConditionType['requestMethods']>[number];

async function regexSupported(regex: string): Promise<string | undefined> {
  if (!dnr().isRegexSupported) return undefined;
  try {
    const result = await dnr().isRegexSupported({ regex, isCaseSensitive: false });
    return result.isSupported ? undefined : (result.reason ?? 'not supported');
  } catch (error) {
    return String(error);
  }
}

/** Replaces the block rules with those the given console rules call for. */
export async function installBlocks(compiled: CompiledConsoleRules): Promise<BackstopReport> {
  const report: BackstopReport = { blocked: [], broadened: [], unenforced: [] };
  const addRules: DeclarativeNetRequest.Rule[] = [];
  for (const rule of networkBackstopRules(compiled)) {
    if (!rule.condition) {
      report.unenforced.push({ rule: rule.rule, why: rule.unsupported });
      continue;
    }
    let regexFilter = rule.condition.regexFilter;
    let refused = await regexSupported(regexFilter);
    const broader = withoutCounts(regexFilter);
    if (refused === 'memoryLimitExceeded' && broader !== regexFilter) {
      refused = await regexSupported(broader);
      if (!refused) {
        regexFilter = broader;
        report.broadened.push(rule.rule);
      }
    }
    if (refused) {
      report.unenforced.push({ rule: rule.rule, why: refused });
      continue;
    }
    const condition: DeclarativeNetRequest.RuleConditionType = {
      regexFilter,
      isUrlFilterCaseSensitive: false,
    };
    if (rule.condition.requestMethods)
      condition.requestMethods = rule.condition.requestMethods as RequestMethod[];
    addRules.push({
      id: addRules.length + 1,
      priority: BLOCK_PRIORITY,
      action: { type: 'block' },
      condition,
    });
    report.blocked.push(rule.rule);
  }
  const existing = await dnr().getDynamicRules();
  await dnr().updateDynamicRules({ removeRuleIds: existing.map((r) => r.id), addRules });
  return report;
}

function exactUrlFilter(withHash: string): DeclarativeNetRequest.RuleConditionType {
  // The fragment never reaches the network, so the rule must not ask for it.
  const url = withHash.split('#')[0] ?? withHash;
  // urlFilter knows only `*`, `^` and `|`; without them the URL is its own exact, anchored filter.
  if (!/[*^|]/.test(url)) return { urlFilter: `|${url}|`, isUrlFilterCaseSensitive: true };
  return { regexFilter: `^${url.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`, isUrlFilterCaseSensitive: true };
}

// Lifts are changed one at a time: two approvals at once must not pick the same rule id, and a sweep
// must not drop the record of a lift added while it ran.
const serially = oneAtATime();

/**
 * Lets exactly this request (method, URL, tab; any body: DNR cannot read bodies) through the block,
 * briefly. An alarm takes it away at LIFT_MS at the latest, even if the page never reports it sent.
 */
export function liftFor(holdId: string, method: string, url: string, tabId: number): Promise<number> {
  return serially(async () => {
    const used = new Set((await dnr().getSessionRules()).map((r) => r.id));
    let id = LIFT_ID_BASE;
    while (used.has(id)) id++;
    const requestMethod = method.toLowerCase() as RequestMethod;
    await dnr().updateSessionRules({
      addRules: [
        {
          id,
          priority: LIFT_PRIORITY,
          action: { type: 'allow' },
          condition: { ...exactUrlFilter(url), requestMethods: [requestMethod], tabIds: [tabId] },
        },
      ],
    });
    const until = Date.now() + LIFT_MS;
    await liftsItem.setValue({ ...(await liftsItem.getValue()), [id]: { holdId, until } });
    await browser.alarms.create(`${LIFT_ALARM_PREFIX}${id}`, { when: until });
    return id;
  });
}

export const LIFT_ALARM_PREFIX = 'countersign:lift:';

/**
 * Takes away the lift for a hold (the request went out, or failed), any lift past its time, and any
 * session allow rule no record explains (left by a worker that stopped between the two writes).
 */
export function endLift(holdId?: string): Promise<void> {
  return serially(async () => {
    const lifts = await liftsItem.getValue();
    const now = Date.now();
    const rules = await dnr().getSessionRules();
    const ended = new Set(
      Object.entries(lifts)
        .filter(([, l]) => l.holdId === holdId || l.until <= now)
        .map(([id]) => Number(id)),
    );
    for (const rule of rules) if (rule.id >= LIFT_ID_BASE && !(String(rule.id) in lifts)) ended.add(rule.id);
    if (ended.size === 0) return;
    await dnr().updateSessionRules({ removeRuleIds: [...ended] });
    const rest = { ...lifts };
    for (const id of ended) delete rest[id];
    await liftsItem.setValue(rest);
  });
}
