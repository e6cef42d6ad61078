export type Effect = 'allow' | 'deny' | 'review';
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export type Risk = (typeof RISKS)[number];
/** What an approval under a rule needs besides the click: a fresh MFA sign-in, or a passkey. */
export const STEP_UPS = ['mfa', 'passkey'] as const;
export type StepUp = (typeof STEP_UPS)[number];
export type MatchKey = 'action' | 'resource' | 'environment' | 'requester' | 'source' | 'initiator';
export const MATCH_KEYS: readonly MatchKey[] = [
  'action',
  'resource',
  'environment',
  'requester',
  'source',
  'initiator',
];

/** Globs per request field; a key left out matches anything, a key given must match. */
export type RuleMatch = { [K in MatchKey]?: string[] };

/** What a rule decides, with the policy's defaults already filled in. */
export type RuleOutcome = OutcomeByEffect & {
  risk?: Risk;
  stepUp?: StepUp;
  /** false: reviewers may not approve amended params (a review rule's `amend: false`). */
  amend?: false;
  breakGlass?: BreakGlass;
  standing?: Standing;
};

/** How far a reviewer may approve "the same again": for at most `maxMs`, at most `uses` requests. */
export type Standing = { maxMs: number; uses: number };

/** A review rule's break-glass: who is told at once, and how soon the follow-up review is due. */
export type BreakGlass = { notify: string[]; reviewWithinMs: number };
type OutcomeByEffect =
  | { effect: 'allow'; grantTtlMs: number }
  | { effect: 'deny'; reason: string }
  | {
      effect: 'review';
      approvers: string[];
      minApprovals: number;
      timeoutMs: number;
      grantTtlMs: number;
      channel?: string;
      /** Teams `<team>/<channel>`. */
      teams?: string;
    };

/** `when` is a CEL condition, tested after the globs match; compiled once with the policy. */
export type PolicyRule = { name: string; match: RuleMatch; when?: string } & RuleOutcome;

/** JSON (or form) body pattern: maps match key by key, strings are globs, lists match any element. */
export type BodyPattern = string | number | boolean | null | BodyPattern[] | { [key: string]: BodyPattern };

export type ConsoleRule = {
  name: string;
  match: {
    /** Upper-cased; absent means any method. */
    method?: string[];
    /** A URLPattern string, kept as written for the extension to compile. */
    url: string;
    /** Lower-cased header name → glob. */
    headers?: Record<string, string>;
    /** A string is a regular expression on the raw body; anything else a BodyPattern. */
    body?: string | BodyPattern[] | { [key: string]: BodyPattern };
  };
  action: string;
  resource?: string;
  environment?: string;
};

export type Policy = {
  /** Declared environments, as written; absent means any environment is accepted. */
  environments?: string[];
  /** Group name → members: lower-cased emails, and `slack:@handle` entries kept for a Slack resolver. */
  groups: Record<string, string[]>;
  defaults: { timeoutMs: number; grantTtlMs: number };
  /** First match wins. */
  rules: PolicyRule[];
  /** Applies when no rule matched; absent means deny (fail closed). */
  default?: RuleOutcome;
  consoles: ConsoleRule[];
  /** Groups whose members get the console's admin and audit roles; absent: no one but the operator. */
  access?: { admin: string[]; audit: string[] };
};

export type EvaluationInput = {
  action: string;
  resource?: string;
  environment?: string;
  requester: string;
  source?: string;
  /** Who started it inside a console: `page` (the person) or `copilot:<name>`; from `context.initiator`. */
  initiator?: string;
  /** What a rule's `when:` reads besides the fields above; absent parts read as empty. */
  params?: Record<string, unknown> | undefined;
  context?: Record<string, unknown> | undefined;
  /**
   * `agent` or `person`, the agent's owner, and the policy groups the requester (or owner) is in: a
   * list, or a function called only when a condition that reads `requester.groups` is reached, so a
   * request that meets none does not pay for working out membership.
   */
  requesterKind?: string;
  owner?: string | undefined;
  groups?: readonly string[] | (() => readonly string[]);
  /** When the request is evaluated (ms since the epoch); the evaluation's own clock when absent. */
  now?: number;
};

/** Why a rule with a condition matched: the condition that was true, or that failed closed. */
export type DecisionMatch = {
  /** The `when:` that was true for this request (absent when the rule has none). */
  condition?: string;
  risk?: Risk;
  /** The step-up an approval needs: the rule's `stepUp`, or `mfa` for `risk: critical`. */
  stepUp?: StepUp;
  /** false when the rule forbids approving amended params. */
  amend?: false;
  /** Present when the rule allows break-glass (never otherwise). */
  breakGlass?: BreakGlass;
  /** Present when the rule allows standing approvals. */
  standing?: Standing;
  /** Conditions that could not be evaluated, each read as its rule's stricter side. */
  conditionErrors?: { rule: string; error: string }[];
  /**
   * Why the deciding rule's own `when:` could not be evaluated, when it could not: the rule matched
   * only to fail closed, so the request is for a human alone (no standing approval, no amendment).
   */
  conditionFailed?: string;
};

/** What the rule that decided says, by effect (as a rule says it), and which rule it was. */
export type Decision = DecisionMatch & { rule: string } & OutcomeByEffect;
