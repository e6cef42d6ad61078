import { createHash } from 'node:crypto';
import type { ConsoleRule } from '@countersign/shared/policy';
import type { Core } from '../core';

/** The default console pack shipped with the server, as loaded at start-up. */
export type ConsolePack = { version: string; consoles: ConsoleRule[] };

/**
 * What the extension matches console requests against: the policy's own `consoles`, then the
 * default pack's entries that the policy does not override by name. The version changes whenever
 * either does, so extensions can tell when to reload.
 */
export function extensionRules(core: Core): { version: string; consoles: ConsoleRule[] } {
  const { policy, version } = core.policy.current;
  const own = new Set(policy.consoles.map((c) => c.name));
  const consoles = [...policy.consoles, ...core.consolePack.consoles.filter((c) => !own.has(c.name))];
  const combined = createHash('sha256')
    .update(`${version}\n${core.consolePack.version}`)
    .digest('hex')
    .slice(0, 16);
  return { version: `sha256:${combined}`, consoles };
}
