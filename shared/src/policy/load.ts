import { crossChecks } from './checks';
import type { ConsoleFile } from './console-schema';
import { parseDuration } from './duration';
import { compilePolicy } from './evaluate';
import type { PolicyProblem } from './problem';
import { byPosition } from './problem';
import type { OutcomeFields, PolicyFile } from './schema';
import { policyFileSchema, policyKeysAt } from './schema';
import { policyVersion } from './sha256';
import type { ConsoleRule, Policy, PolicyRule, RuleMatch, RuleOutcome } from './types';
import { MATCH_KEYS } from './types';
import { issueProblems, readYaml } from './yaml-source';

export type LoadResult =
  | { ok: true; policy: Policy; version: string }
  | { ok: false; problems: PolicyProblem[] };

export const BUILT_IN_DEFAULTS = {
  timeoutMs: parseDuration('15m') ?? 0,
  grantTtlMs: parseDuration('5m') ?? 0,
};

/**
 * Parses and validates a policy file. Every problem is reported at once, sorted by position; a policy
 * is returned only when there are none. `file` is used only in the problems' positions.
 */
export function parsePolicy(text: string, file: string): LoadResult {
  const { source, problems } = readYaml(text, file);
  if (!source) return { ok: false, problems: problems.sort(byPosition) };
  if (source.data === null || source.data === undefined) {
    const empty = {
      file,
      line: 1,
      column: 1,
      message: 'the policy file is empty; it needs at least "version: 1"',
    };
    return { ok: false, problems: [...problems, empty] };
  }
  const parsed = policyFileSchema.safeParse(source.data);
  if (!parsed.success) problems.push(...issueProblems(source, parsed.error.issues, policyKeysAt));
  problems.push(...crossChecks(source));
  if (!parsed.success || problems.length > 0) return { ok: false, problems: problems.sort(byPosition) };
  const policy = normalize(parsed.data);
  compilePolicy(policy);
  return { ok: true, policy, version: policyVersion(text) };
}

function normalize(file: PolicyFile): Policy {
  const defaults = {
    timeoutMs: file.defaults?.timeout ?? BUILT_IN_DEFAULTS.timeoutMs,
    grantTtlMs: file.defaults?.grantTtl ?? BUILT_IN_DEFAULTS.grantTtlMs,
  };
  const groups = Object.fromEntries(
    Object.entries(file.groups ?? {}).map(([name, members]) => [
      name,
      // Slack handles and IdP group names keep their spelling; they are compared ignoring case.
      [...new Set(members.map((m) => (/^(slack|idp):/i.test(m) ? m : m.toLowerCase())))],
    ]),
  );
  const rules = (file.rules ?? []).map(
    (rule): PolicyRule => ({
      name: rule.name,
      match: normalizeMatch(rule.match),
      ...(rule.when !== undefined && { when: rule.when }),
      ...outcome(rule, defaults),
    }),
  );
  const policy: Policy = {
    ...(file.environments && { environments: file.environments }),
    groups,
    defaults,
    rules,
    consoles: (file.consoles ?? []).map(normalizeConsole),
    access: { admin: file.access?.admin ?? [], audit: file.access?.audit ?? [] },
  };
  return file.default ? { ...policy, default: outcome(file.default, defaults) } : policy;
}

function normalizeMatch(match: RuleMatch): RuleMatch {
  const out: RuleMatch = {};
  for (const key of MATCH_KEYS) {
    const globs = match[key];
    if (globs) out[key] = [...globs];
  }
  return out;
}

function outcome(fields: OutcomeFields, defaults: Policy['defaults']): RuleOutcome {
  const decided: RuleOutcome = byEffect(fields, defaults);
  if (fields.risk !== undefined) decided.risk = fields.risk;
  // Only an approval can be stepped up; `risk: critical` asks for MFA unless the rule says otherwise.
  const stepUp = fields.stepUp ?? (fields.risk === 'critical' ? 'mfa' : 'none');
  if (decided.effect === 'review' && stepUp !== 'none') decided.stepUp = stepUp;
  if (decided.effect === 'review' && fields.amend === false) decided.amend = false;
  if (decided.effect === 'review' && fields.breakGlass) {
    const { notify, reviewWithin } = fields.breakGlass;
    decided.breakGlass = { notify: [...new Set(notify)], reviewWithinMs: reviewWithin };
  }
  if (decided.effect === 'review' && fields.standing)
    decided.standing = { maxMs: fields.standing.max, uses: fields.standing.uses };
  return decided;
}

function byEffect(fields: OutcomeFields, defaults: Policy['defaults']): RuleOutcome {
  const grantTtlMs = fields.grantTtl ?? defaults.grantTtlMs;
  switch (fields.effect) {
    case 'allow':
      return { effect: 'allow', grantTtlMs };
    case 'deny':
      // The cross-checks have refused a deny without a reason before this runs.
      return { effect: 'deny', reason: fields.reason ?? '' };
    case 'review': {
      const review: RuleOutcome & { effect: 'review' } = {
        effect: 'review',
        approvers: [...new Set(fields.approvers ?? [])],
        minApprovals: fields.minApprovals ?? 1,
        timeoutMs: fields.timeout ?? defaults.timeoutMs,
        grantTtlMs,
      };
      if (fields.channel !== undefined) review.channel = fields.channel;
      if (fields.teams !== undefined) review.teams = fields.teams;
      return review;
    }
  }
}

function normalizeConsole(entry: ConsoleFile): ConsoleRule {
  const { method, url, headers, body } = entry.match;
  const match: ConsoleRule['match'] = { url };
  if (method) match.method = [...new Set(method)];
  if (headers) {
    match.headers = Object.fromEntries(
      Object.entries(headers).map(([name, glob]) => [name.toLowerCase(), glob]),
    );
  }
  if (body !== undefined) match.body = body;
  const rule: ConsoleRule = { name: entry.name, match, action: entry.action };
  if (entry.resource !== undefined) rule.resource = entry.resource;
  if (entry.environment !== undefined) rule.environment = entry.environment;
  return rule;
}
