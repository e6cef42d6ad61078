export { formatCaseResults } from './case-report';
export type { CaseExpectation, CaseResult, PolicyCase } from './cases';
export { parseCases, runCases } from './cases';
export { formatDuration, parseDuration } from './duration';
export { compilePolicy, evaluate, FAIL_CLOSED_REASON } from './evaluate';
export type { GlobKind, Matcher } from './glob';
export { compileGlobs, globError } from './glob';
export { groupMembers, groupSlackHandles, isGroupMember } from './groups';
export { idpGroupName, idpGroupsOf, isIdpEntry } from './idp';
export type { LoadResult } from './load';
export { BUILT_IN_DEFAULTS, parsePolicy } from './load';
export type { PolicyProblem } from './problem';
export { formatProblem } from './problem';
export { policyVersion } from './sha256';
export type { WarningOptions } from './warnings';
export { policyWarnings } from './warnings';
export type {
  BodyPattern,
  ConsoleRule,
  Decision,
  Effect,
  EvaluationInput,
  MatchKey,
  Policy,
  PolicyRule,
  RuleMatch,
  RuleOutcome,
} from './types';
