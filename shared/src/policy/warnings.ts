import { KIND, NOCASE } from './evaluate';
import { compileGlobs } from './glob';
import { idpGroupName, idpGroupsOf } from './idp';
import { byPosition, type PolicyProblem } from './problem';
import { type StepUpMeans, stepUpGaps } from './step-up-gaps';
import type { MatchKey, Policy, PolicyRule, RuleOutcome } from './types';
import { MATCH_KEYS } from './types';
import { type Path, problemAt, readYaml, type YamlSource } from './yaml-source';

// Things a valid policy may still get wrong: reported by `policy check` as warnings, never refused,
// because each can be intended while the file is being written.

const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/;

/** Globs that match every value of their key (`*` stops at `.` in actions and `/` in resources). */
const catchesAll = (key: MatchKey, glob: string): boolean =>
  glob === '**' || (KIND[key] === 'plain' && glob === '*');

/**
 * Whether `earlier` surely matches every value `later` matches: the same glob, a catch-all, or a
 * literal the earlier glob matches. Anything cleverer (one glob inside another) is left unsaid: a
 * warning must be certain.
 */
function covers(key: MatchKey, earlier: readonly string[], later: string): boolean {
  const same = (a: string) => (NOCASE[key] ? a.toLowerCase() === later.toLowerCase() : a === later);
  if (earlier.some((glob) => same(glob) || catchesAll(key, glob))) return true;
  return !GLOB_SYNTAX.test(later) && compileGlobs(KIND[key], earlier, NOCASE[key])(later);
}

/** An earlier rule every request of `later` meets first: each key it names, `later` names as narrowly. */
function shadows(earlier: PolicyRule, later: PolicyRule): boolean {
  // A `when:` may be false, so a rule with one lets the requests it does not take fall through to later rules.
  if (earlier.when !== undefined) return false;
  return MATCH_KEYS.every((key) => {
    const mine = earlier.match[key];
    if (mine === undefined) return true;
    // A key the later rule leaves out matches anything there, even an absent value: not covered.
    const theirs = later.match[key];
    return theirs?.every((glob) => covers(key, mine, glob)) === true;
  });
}

export type WarningOptions = {
  slack: boolean;
  /** Display names of the groups the identity provider has provisioned; absent when unknown (no database). */
  idpGroups?: readonly string[] | undefined;
  /** The step-ups the server this policy is for can make; absent when unknown (no warning either way). */
  stepUps?: StepUpMeans | undefined;
};

/** `idp:"…"` approvers naming a group SCIM has not provisioned (yet): nobody can approve until it has. */
function idpWarnings(policy: Policy, source: YamlSource, known: readonly string[]): PolicyProblem[] {
  const have = new Set(known.map((name) => name.toLowerCase()));
  const outcomes: [Path, RuleOutcome][] = policy.rules.map((rule, i) => [['rules', i, 'approvers'], rule]);
  if (policy.default) outcomes.push([['default', 'approvers'], policy.default]);
  return outcomes.flatMap(([path, outcome]) =>
    outcome.effect !== 'review'
      ? []
      : idpGroupsOf(outcome.approvers)
          .filter((name) => !have.has(name.toLowerCase()))
          .map((name) =>
            problemAt(
              source,
              path,
              `warning: the identity provider has not provisioned a group "${name}" (yet), so nobody can approve for it until it does`,
            ),
          ),
  );
}

/** `idp:"…"` members of policy groups naming a group SCIM has not provisioned (yet): it adds nobody. */
function idpMemberWarnings(policy: Policy, source: YamlSource, known: readonly string[]): PolicyProblem[] {
  const have = new Set(known.map((name) => name.toLowerCase()));
  return Object.entries(policy.groups).flatMap(([group, members]) =>
    members.flatMap((member, i) => {
      const name = idpGroupName(member);
      if (name === undefined || have.has(name.toLowerCase())) return [];
      return [
        problemAt(
          source,
          ['groups', group, i],
          `warning: the identity provider has not provisioned a group "${name}" (yet), so it adds nobody to "${group}" until it does`,
        ),
      ];
    }),
  );
}

export function policyWarnings(
  policy: Policy,
  text: string,
  file: string,
  options: WarningOptions,
): PolicyProblem[] {
  const { source } = readYaml(text, file);
  if (!source) return [];
  const warnings: PolicyProblem[] = [];
  policy.rules.forEach((rule, i) => {
    const earlier = policy.rules.slice(0, i).find((before) => shadows(before, rule));
    if (earlier)
      warnings.push(
        problemAt(
          source,
          ['rules', i],
          `warning: rule "${rule.name}" can never match: the earlier rule "${earlier.name}" matches every request it does`,
        ),
      );
  });
  if (!options.slack) {
    for (const [name, members] of Object.entries(policy.groups)) {
      if (members.length > 0 && members.every((m) => m.toLowerCase().startsWith('slack:')))
        warnings.push(
          problemAt(
            source,
            ['groups', name],
            'warning: every member is a slack:@handle, but Slack is not configured (SLACK_BOT_TOKEN is unset), so nobody can approve for this group',
            'key',
          ),
        );
    }
  }
  if (options.stepUps)
    for (const gap of stepUpGaps(policy, options.stepUps))
      warnings.push(problemAt(source, gap.path, `warning: ${gap.message}`));
  if (options.idpGroups)
    warnings.push(
      ...idpWarnings(policy, source, options.idpGroups),
      ...idpMemberWarnings(policy, source, options.idpGroups),
    );
  return warnings.sort(byPosition);
}
