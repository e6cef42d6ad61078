export { formatCaseResults } from './case-report';
export type { CaseExpectation, CaseResult, PolicyCase } from './cases';
export { parseCases, runCases } from './cases';
export type { ConditionInput, ConditionResult } from './condition';
export { compileCondition, MAX_CONDITION_INPUT_BYTES } from './condition';
export { CONDITION_LIMITS, CONDITION_VARIABLES } from './condition-check';
export { conditionFailure } from './condition-failure';
export { conditionInWords } from './condition-words';
export { formatDuration, parseDuration } from './duration';
export { compilePolicy, evaluate, FAIL_CLOSED_REASON } from './evaluate';
export type { GlobKind, Matcher } from './glob';
export { compileGlobs, globError } from './glob';
export { groupIdpNames, groupMembers, groupSlackHandles, groupsContaining, isGroupMember } from './groups';
export { idpGroupName, idpGroupsOf, isIdpEntry } from './idp';
export type { LoadResult } from './load';
export { BUILT_IN_DEFAULTS, parsePolicy } from './load';
export type { PolicyProblem } from './problem';
export { formatProblem } from './problem';
export { policyVersion } from './sha256';
export { type StepUpGap, type StepUpMeans, stepUpGaps } from './step-up-gaps';
export type {
  BodyPattern,
  BreakGlass,
  ConsoleRule,
  Decision,
  DecisionMatch,
  Effect,
  EvaluationInput,
  MatchKey,
  Policy,
  PolicyRule,
  Risk,
  RuleMatch,
  RuleOutcome,
  Standing,
  StepUp,
} from './types';
export { RISKS, STEP_UPS } from './types';
export type { WarningOptions } from './warnings';
export { policyWarnings } from './warnings';
