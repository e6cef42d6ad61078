import { accessChecks } from './access-checks';
import { conditionChecks } from './condition-checks';
import { consoleChecks } from './console-checks';
import { environmentChecks } from './environment-checks';
import { isIdpEntry } from './idp';
import { closestKey, type PolicyProblem } from './problem';
import type { Path, Raw, YamlSource } from './yaml-source';
import { isRaw, lineOf, problemAt } from './yaml-source';

// Checks that span fields, run on the raw YAML data so they are reported together with the schema's
// problems; anything of the wrong shape is skipped here because the schema reports it.

/** What a review rule may say; every other kind of rule says a subset of it (APPLIES). */
const REVIEW_KEYS = [
  'approvers',
  'minApprovals',
  'timeout',
  'grantTtl',
  'channel',
  'teams',
  'stepUp',
  'amend',
  'breakGlass',
  'standing',
];
const APPLIES: Record<string, readonly string[]> = {
  allow: ['grantTtl'],
  deny: ['reason'],
  review: REVIEW_KEYS,
};
const OPTIONAL_KEYS = ['reason', ...REVIEW_KEYS];

/** Each string of a one-or-many field, with its path. */
function entries(path: Path, value: unknown): [Path, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, i): [Path, string][] => (typeof v === 'string' ? [[[...path, i], v]] : []));
}

function members(groups: Raw, name: string): unknown[] {
  const list = Object.hasOwn(groups, name) ? groups[name] : undefined;
  return Array.isArray(list) ? list : [];
}

function approverChecks(source: YamlSource, path: Path, rule: Raw, groups: Raw): PolicyProblem[] {
  const approvers = entries([...path, 'approvers'], rule.approvers);
  // An IdP group lives in the database, not the file: whether it exists is a warning of `policy check`.
  const unknown = approvers.filter(([, name]) => !Object.hasOwn(groups, name.trim()) && !isIdpEntry(name));
  const known = Object.keys(groups).join(', ') || 'none are defined';
  const problems = unknown.map(([at, name]) => {
    const hint = closestKey(name.trim(), Object.keys(groups));
    const mean = hint ? `did you mean "${hint}"? ` : '';
    return problemAt(source, at, `unknown group "${name}" (${mean}groups: ${known})`);
  });
  const min = rule.minApprovals === undefined ? 1 : rule.minApprovals;
  if (unknown.length > 0 || approvers.length === 0 || !Number.isInteger(min)) return problems;
  // An IdP group may have any number of members, so no count is certain once one is named.
  if (approvers.some(([, name]) => isIdpEntry(name))) return problems;
  const all = approvers.flatMap(([, name]) => members(groups, name.trim()));
  // A Slack or IdP entry may be a group of any size, so no count is certain once one is present.
  if (all.some((m) => typeof m !== 'string' || m.trim().toLowerCase().startsWith('slack:') || isIdpEntry(m)))
    return problems;
  const distinct = new Set(all.map((m) => String(m).trim().toLowerCase())).size;
  if (typeof min === 'number' && min > distinct) {
    const names = approvers.map(([, name]) => name.trim()).join(' + ');
    const at = rule.minApprovals === undefined ? [...path, 'approvers'] : [...path, 'minApprovals'];
    const have = approvers.length === 1 ? 'has' : 'have';
    const message = `needs ${min} approval${min === 1 ? '' : 's'} but ${names} ${have} only ${distinct} distinct member${distinct === 1 ? '' : 's'}, so this rule could never be approved`;
    problems.push(problemAt(source, at, message));
  }
  return problems;
}

function outcomeChecks(source: YamlSource, path: Path, rule: Raw, groups: Raw): PolicyProblem[] {
  const effect = rule.effect;
  if (typeof effect !== 'string' || !Object.hasOwn(APPLIES, effect)) return [];
  const applies = APPLIES[effect] ?? [];
  const problems = OPTIONAL_KEYS.filter((k) => k in rule && !applies.includes(k)).map((k) =>
    problemAt(source, [...path, k], `does not apply to effect ${effect}`, 'key'),
  );
  if (effect === 'deny' && !('reason' in rule)) {
    problems.push(
      problemAt(source, path, 'effect deny needs a reason, which is shown to whoever asked', 'key'),
    );
  }
  if (effect === 'review' && !('approvers' in rule)) {
    problems.push(problemAt(source, path, 'effect review needs approvers: one or more groups', 'key'));
  }
  if (effect === 'review') problems.push(...approverChecks(source, path, rule, groups));
  if (
    effect === 'review' &&
    'standing' in rule &&
    typeof rule.minApprovals === 'number' &&
    rule.minApprovals > 1
  ) {
    // The server refuses every standing approval on such a rule: say so at load, not on a click.
    const message = `standing approvals need a rule that one approval decides, and this one needs ${rule.minApprovals}: one reviewer cannot stand in for a quorum on every later request`;
    problems.push(problemAt(source, [...path, 'standing'], message, 'key'));
  }
  // `stepUp: mfa|passkey`, or `risk: critical` without `stepUp: none` (which implies MFA, see load.ts).
  const steppedUp =
    rule.stepUp === 'mfa' || rule.stepUp === 'passkey' || (rule.risk === 'critical' && !('stepUp' in rule));
  if (effect === 'review' && 'standing' in rule && steppedUp) {
    // A standing approval would let every later request through with no step-up: the server refuses
    // one on such a request too, so say so at load, not on a click.
    const why =
      rule.stepUp === 'mfa' || rule.stepUp === 'passkey' ? `stepUp: ${rule.stepUp}` : 'risk: critical';
    const message = `standing approvals cannot go with a step-up (${why}): each approval needs its own step-up, and a standing approval would let later requests through without one`;
    problems.push(problemAt(source, [...path, 'standing'], message, 'key'));
  }
  return problems;
}

function ruleChecks(source: YamlSource, rules: unknown[], groups: Raw): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const firstLine = new Map<string, number>();
  let catchAll: { name: string; line: number; reported: boolean } | undefined;
  rules.forEach((rule, i) => {
    if (!isRaw(rule)) return;
    const path = ['rules', i];
    const name = typeof rule.name === 'string' ? rule.name.trim() : '';
    const seen = firstLine.get(name);
    if (name === 'default') {
      problems.push(problemAt(source, [...path, 'name'], '"default" is reserved for the default rule'));
    } else if (seen !== undefined) {
      problems.push(
        problemAt(source, [...path, 'name'], `duplicate rule name "${name}" (first at line ${seen})`),
      );
    } else if (name) {
      firstLine.set(name, lineOf(source, [...path, 'name']));
    }
    if (catchAll === undefined) {
      if (isRaw(rule.match) && Object.keys(rule.match).length === 0) {
        catchAll = { name, line: lineOf(source, path), reported: false };
      }
    } else if (!catchAll.reported) {
      // Once is enough: every later rule is unreachable for the same reason.
      const message = `unreachable, as is every rule after it: rule "${catchAll.name}" (line ${catchAll.line}) matches every request`;
      problems.push(problemAt(source, path, message));
      catchAll.reported = true;
    }
    problems.push(...outcomeChecks(source, path, rule, groups));
  });
  return problems;
}

export function crossChecks(source: YamlSource): PolicyProblem[] {
  const data = source.data;
  if (!isRaw(data)) return [];
  const groups = isRaw(data.groups) ? data.groups : {};
  return [
    ...(Array.isArray(data.rules) ? ruleChecks(source, data.rules, groups) : []),
    ...(Array.isArray(data.rules) ? conditionChecks(source, data.rules, Object.keys(groups)) : []),
    ...(isRaw(data.default) ? outcomeChecks(source, ['default'], data.default, groups) : []),
    ...(Array.isArray(data.consoles) ? consoleChecks(source, data.consoles) : []),
    ...environmentChecks(source, data),
    ...accessChecks(source, data),
  ];
}
