import { readFile } from 'node:fs/promises';
import { type CaseResult, formatProblem, parseCases, runCases } from '@countersign/shared/policy';
import { hasScope } from '../../context';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';

export type PolicyCaseResults =
  | { configured: false }
  | { configured: true; file: string; version: string; results: CaseResult[] }
  /** The cases file could not be read or parsed: shown as a failure, never as "all passed". */
  | { configured: true; file: string; version: string; problems: string[] };

/**
 * The policy's own `policy test` cases (COUNTERSIGN_POLICY_CASES) run against the policy in force
 * now, with the same runCases the CLI uses, so the Admin page says whether what is loaded still
 * decides as its authors wrote down. Read on each call: the file is edited beside the policy.
 */
export async function policyCaseResults({
  ctx,
  casesFile,
}: {
  ctx: Ctx;
  casesFile: string | undefined;
}): Promise<PolicyCaseResults> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'admin')) throw forbidden('running the policy cases needs the admin scope');
  if (casesFile === undefined) return { configured: false };
  const loaded = core.policy.current;
  const base = { configured: true, file: casesFile, version: loaded.version } as const;
  let text: string;
  try {
    text = await readFile(casesFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ...base, problems: [`${casesFile}: cannot read the cases file (${code ?? String(error)})`] };
  }
  const parsed = parseCases(text, casesFile);
  if (!parsed.ok) return { ...base, problems: parsed.problems.map(formatProblem) };
  return { ...base, results: runCases(loaded.policy, parsed.cases) };
}
