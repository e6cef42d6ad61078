import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConsoleRule } from '../../src/policy/index';
import { formatProblem, parsePolicy } from '../../src/policy/index';

export const PACK_FILE = 'packs/consoles.default.yaml';
export const packText = readFileSync(
  fileURLToPath(new URL(`../../../${PACK_FILE}`, import.meta.url)),
  'utf8',
);

/** The default pack's console rules, as parsePolicy reads them. */
export function packRules(): ConsoleRule[] {
  const result = parsePolicy(packText, PACK_FILE);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.policy.consoles;
}
