import { readFile } from 'node:fs/promises';
import { formatProblem, type Policy, type PolicyProblem, parsePolicy } from '@countersign/shared/policy';

export type LoadedPolicy = { policy: Policy; version: string; file: string; text: string; loadedAt: number };
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

/** Holds the policy in force. Swapped whole on a good reload; a bad one never replaces it. */
export class PolicyStore {
  #current: LoadedPolicy;

  constructor(initial: LoadedPolicy) {
    this.#current = initial;
  }

  get current(): LoadedPolicy {
    return this.#current;
  }

  replace(next: LoadedPolicy): void {
    this.#current = next;
  }
}
