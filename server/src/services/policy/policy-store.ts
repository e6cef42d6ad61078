import { readFile } from 'node:fs/promises';
import { formatProblem, type PolicyProblem, parsePolicy } from '@countersign/shared/policy';
import { type LoadedPolicy, PolicyStore } from './policy-in-force';

export { type LoadedPolicy, PolicyStore };
export type PolicyRead = { ok: true; loaded: LoadedPolicy } | { ok: false; problems: PolicyProblem[] };

/** Reads and validates a policy file without touching the running one. */
export async function readPolicyFile(file: string, now: number): Promise<PolicyRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    return { ok: false, problems: [{ file, line: 1, column: 1, message: reason }] };
  }
  const result = parsePolicy(text, file);
  if (!result.ok) return { ok: false, problems: result.problems };
  return {
    ok: true,
    loaded: { policy: result.policy, version: result.version, file, text, loadedAt: now },
  };
}

export const describeProblems = (problems: PolicyProblem[]): string => problems.map(formatProblem).join('\n');
