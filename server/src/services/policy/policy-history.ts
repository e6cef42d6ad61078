import { desc } from 'drizzle-orm';
import { hasScope } from '../../context';
import { policies } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';

export type PolicyHistory = {
  current: { version: string; file: string; text: string; loadedAt: string };
  past: { version: string; loadedAt: string }[];
};

/** The policy in force (its text as loaded) and every earlier version that decided something. */
export async function policyHistory({ ctx }: { ctx: Ctx }): Promise<PolicyHistory> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'admin')) throw forbidden('reading the policy history needs the admin scope');
  const loaded = core.policy.current;
  const rows = await core.database.db
    .select({ version: policies.version, loadedAt: policies.loadedAt })
    .from(policies)
    .orderBy(desc(policies.loadedAt))
    .limit(50);
  return {
    current: {
      version: loaded.version,
      file: loaded.file,
      text: loaded.text,
      loadedAt: new Date(loaded.loadedAt).toISOString(),
    },
    past: rows
      .filter((r) => r.version !== loaded.version)
      .map((r) => ({ version: r.version, loadedAt: new Date(r.loadedAt).toISOString() })),
  };
}
