import { z } from 'zod';
import { normalizeEmail } from '../identity/email';
import { consoleKeysAt, consoleSchema } from './console-schema';
import { durationSchema } from './duration';
import type { GlobKind } from './glob';
import { globError } from './glob';
import { idpGroupName } from './idp';
import { RISKS, STEP_UPS } from './types';
import type { Path } from './yaml-source';

export const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, { error: `expected ${what}, not an empty string` });

/** Accepts `x` as shorthand for `[x]`; a given list must not be empty. */
export const oneOrMany = <T extends z.ZodType>(item: T, what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? [v] : v),
    z
      .array(item, { error: `expected ${what} or a list of them` })
      .min(1, { error: 'must not be an empty list' }),
  );

export const glob = (kind: GlobKind) =>
  z.string({ error: 'expected a glob (a string)' }).superRefine((pattern, ctx) => {
    const error = globError(kind, pattern);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  });

/** Bounds on the review options a rule may give (see docs/policy.md). */
export const LIMITS = {
  reviewWithin: { min: 15 * 60_000, max: 7 * 86_400_000 },
  standingMax: 86_400_000,
  standingUses: 10_000,
} as const;

const SLACK_HANDLE = /^slack:@[a-z0-9][a-z0-9._-]*$/i;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

// Members go through the one email normalisation: a look-alike in the policy is a problem, not a person.
// `idp:"SRE On-Call"` maps the identity provider's group into this one (its members as SCIM last set them).
const member = z
  .string({ error: 'expected an email address, slack:@handle or idp:"group"' })
  .trim()
  .transform((m, ctx) => {
    if (SLACK_HANDLE.test(m)) return m;
    const idp = idpGroupName(m);
    if (idp !== undefined) return `idp:"${idp}"`;
    const checked = normalizeEmail(m);
    if (checked.ok) return checked.email;
    ctx.addIssue({
      code: 'custom',
      message: m.includes('@')
        ? `"${m}": ${checked.reason}`
        : `"${m}" is neither an email address, a slack:@handle nor an idp:"group"`,
    });
    return z.NEVER;
  });

const groupName = z.string().regex(GROUP_NAME, {
  error: (iss) =>
    `group name "${String(iss.input)}" must start with a letter or digit and use only letters, digits, ".", "_" and "-"`,
});

// The same spelling a submission's `environment` must have (shared/src/schemas/action.ts).
const environmentName = z
  .string({ error: 'expected an environment name' })
  .regex(/^[\w.:-]{1,64}$/, { error: 'an environment is 1–64 letters, digits, ".", "_", ":" or "-"' });

const matchShape = {
  action: oneOrMany(glob('dotted'), 'a glob').optional(),
  resource: oneOrMany(glob('path'), 'a glob').optional(),
  environment: oneOrMany(glob('plain'), 'a glob').optional(),
  requester: oneOrMany(glob('plain'), 'a glob').optional(),
  source: oneOrMany(glob('plain'), 'a glob').optional(),
  initiator: oneOrMany(glob('plain'), 'a glob').optional(),
};

const outcomeShape = {
  effect: z.enum(['allow', 'deny', 'review'], { error: 'must be allow, deny or review' }),
  reason: text('a reason').optional(),
  approvers: oneOrMany(text('a group name'), 'a group name').optional(),
  minApprovals: z
    .number({ error: 'expected a whole number, at least 1' })
    .int({ error: 'expected a whole number, at least 1' })
    .min(1, { error: 'expected a whole number, at least 1' })
    .optional(),
  timeout: durationSchema.optional(),
  grantTtl: durationSchema.optional(),
  channel: text('a Slack channel').optional(),
  // A Teams channel as "<team>/<channel>" (names as Teams shows them), beside `channel` for Slack.
  teams: text('a Teams team/channel')
    .regex(/^[^/]+\/[^/]+$/, { error: 'expected "<team>/<channel>"' })
    .optional(),
  // Shown wherever the request is shown; `critical` asks for step-up where step-up exists.
  risk: z.enum(RISKS, { error: 'must be low, medium, high or critical' }).optional(),
  // Whether a reviewer may approve amended params (default true); false keeps exact digest binding only.
  amend: z.boolean({ error: 'must be true or false' }).optional(),
  // When no approver can be reached, the requester (or the agent's owner) may approve their own request
  // with a reason; it is broadcast to `notify` and every approver, and reviewed after the fact.
  breakGlass: z
    .strictObject(
      {
        notify: oneOrMany(text('a Slack channel'), 'a Slack channel'),
        // A follow-up is the check on an approval nobody else gave: it falls due soon, or it is no check.
        reviewWithin: durationSchema.refine(
          (ms) => ms >= LIMITS.reviewWithin.min && ms <= LIMITS.reviewWithin.max,
          {
            error: 'a break-glass follow-up falls due at least 15m and at most 7d after it',
          },
        ),
      },
      { error: 'expected { notify: [channel…], reviewWithin: 24h }' },
    )
    .optional(),
  // Reviewers may approve "this and the same again" for at most `max` and `uses` (exact digest binding
  // stays the default: only a rule that says so allows it).
  standing: z
    .strictObject(
      {
        // Every request it covers is approved at once: longer than a day belongs in an allow rule, in git.
        max: durationSchema.refine((ms) => ms <= LIMITS.standingMax, {
          error: 'a standing approval lasts at most 24h',
        }),
        uses: z
          .number({ error: 'expected a whole number, at least 1' })
          .int({ error: 'expected a whole number, at least 1' })
          .min(1, { error: 'expected a whole number, at least 1' })
          // What a reviewer may grant through the API (shared/src/schemas/action.ts).
          .max(LIMITS.standingUses, { error: `at most ${LIMITS.standingUses} uses` }),
      },
      { error: 'expected { max: 1h, uses: 20 }' },
    )
    .optional(),
  // An approval needs a fresh step-up; `none` lets a `risk: critical` rule do without one.
  stepUp: z.enum([...STEP_UPS, 'none'], { error: 'must be mfa, passkey or none' }).optional(),
};

const ruleShape = {
  name: text('a rule name'),
  match: z.strictObject(matchShape, { error: 'expected a map of globs; {} matches every request' }),
  // A CEL expression, tested once the globs match; compiled and type-checked by the cross-checks.
  when: text('a CEL condition such as params.rows > 10000').optional(),
  ...outcomeShape,
};

const NOT_ON_DEFAULT = 'the default rule applies when no rule matched, so it takes no name or match';
const defaultShape = {
  ...outcomeShape,
  name: z.never({ error: NOT_ON_DEFAULT }).optional(),
  match: z.never({ error: NOT_ON_DEFAULT }).optional(),
};

const defaultsShape = { timeout: durationSchema.optional(), grantTtl: durationSchema.optional() };

const accessShape = {
  admin: z.array(groupName, { error: 'expected a list of groups' }).optional(),
  audit: z.array(groupName, { error: 'expected a list of groups' }).optional(),
};

const topShape = {
  version: z.literal(1, { error: 'must be 1, the only version of the policy format' }),
  // When present, a submission naming any other environment is refused: a misspelt `prdo` must not
  // slip past every `environment: prod` rule into a weaker one.
  environments: z
    .array(environmentName, { error: 'expected a list of environment names' })
    .min(1, { error: 'must not be an empty list; leave it out to accept any environment' })
    .optional(),
  groups: z
    .record(groupName, z.array(member, { error: 'expected a list of members' }), {
      error: (iss) =>
        iss.code === 'invalid_type' ? 'expected a map of group name to a list of members' : undefined,
    })
    .optional(),
  defaults: z.strictObject(defaultsShape, { error: 'expected a map with timeout and grantTtl' }).optional(),
  // Who may use the web console's admin and audit pages: groups of this file, reviewed in git.
  access: z
    .strictObject(accessShape, { error: 'expected a map with admin and audit (lists of groups)' })
    .optional(),
  rules: z
    .array(z.strictObject(ruleShape, { error: 'expected a rule (a map)' }), {
      error: 'expected a list of rules',
    })
    .optional(),
  default: z
    .strictObject(defaultShape, { error: 'expected a rule: a map with effect, without name or match' })
    .optional(),
  consoles: z.array(consoleSchema, { error: 'expected a list of console rules' }).optional(),
};

export const policyFileSchema = z.strictObject(topShape, {
  error: 'expected a map with version, groups, defaults, rules, default and consoles',
});
export type PolicyFile = z.output<typeof policyFileSchema>;
export type OutcomeFields = z.output<z.ZodObject<typeof outcomeShape>>;

export const OUTCOME_KEYS = Object.keys(outcomeShape);

export function policyKeysAt(path: Path): readonly string[] {
  const [top] = path;
  if (path.length === 0) return Object.keys(topShape);
  if (top === 'defaults') return Object.keys(defaultsShape);
  if (top === 'access') return Object.keys(accessShape);
  if (top === 'default') return OUTCOME_KEYS;
  if (top === 'rules') return path.length === 2 ? Object.keys(ruleShape) : Object.keys(matchShape);
  if (top === 'consoles') return consoleKeysAt(path.slice(2));
  return [];
}
