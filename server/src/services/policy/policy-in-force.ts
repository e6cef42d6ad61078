import type { Policy } from '@countersign/shared/policy';

export type LoadedPolicy = { policy: Policy; version: string; file: string; text: string; loadedAt: number };

/**
 * Holds the policy in force. Swapped whole on a good reload; a bad one never replaces it. Apart from
 * the policy reader (policy-store.ts) so a process that never reads a policy file (the CLI's admin
 * verbs) does not load the parser, CEL and YAML with it.
 */
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
