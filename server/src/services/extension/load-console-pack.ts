import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeProblems, readPolicyFile } from '../policy/policy-store';
import type { ConsolePack } from './extension-rules';

/** The pack shipped in this repository: `packs/consoles.default.yaml`. */
export const BUNDLED_PACK = fileURLToPath(
  new URL('../../../../packs/consoles.default.yaml', import.meta.url),
);

/**
 * Loads the default console pack (COUNTERSIGN_CONSOLE_PACK: a file, or `none`). A pack that does not
 * validate stops start-up, like a policy: a console rule silently missing is an action silently ungated.
 */
export async function loadConsolePack(setting: string | undefined): Promise<ConsolePack> {
  if (setting === 'none') return { version: 'none', consoles: [] };
  const file = setting ?? BUNDLED_PACK;
  if (setting === undefined && !existsSync(file)) return { version: 'none', consoles: [] };
  const read = await readPolicyFile(file, Date.now());
  if (!read.ok)
    throw new Error(
      `COUNTERSIGN_CONSOLE_PACK: ${file} is not a valid console pack\n${describeProblems(read.problems)}`,
    );
  return { version: read.loaded.version, consoles: read.loaded.policy.consoles };
}
