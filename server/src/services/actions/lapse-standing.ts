import { and, eq } from 'drizzle-orm';
import { agents, standingApprovals } from '../../db/schema';
import type { Core } from '../core';
import { record } from '../outbox/record';
import { liveStanding } from './standing-approvals';
import { lapseStanding, ruleNamed, standingGround } from './standing-ground';

/**
 * Lapses at once the live standing approvals whose grounds are gone (standing-ground.ts): after a
 * policy reload, all of them; after the identity provider changed one person, those that person
 * gave. Use time checks the same grounds, so this is what makes lists and queues (Slack Home, the
 * console, Teams) stop showing them; should it fail, nothing is let through.
 */
export async function lapseStandingWithoutGround(
  core: Core,
  options: { person?: string | undefined } = {},
): Promise<string[]> {
  const now = core.now();
  const live = await core.database.db
    .select()
    .from(standingApprovals)
    .where(
      and(
        liveStanding(now),
        ...(options.person === undefined ? [] : [eq(standingApprovals.approvedBy, `user:${options.person}`)]),
      ),
    );
  const lapsed: string[] = [];
  for (const s of live) {
    // One transaction each: the grounds are read and the lapse written together.
    const gone = await core.writes.run(async (tx) => {
      const at = core.now();
      const agent = s.requesterId.startsWith('agent:') ? s.requesterId.slice('agent:'.length) : undefined;
      const [owned] =
        agent === undefined
          ? []
          : await tx.select({ owner: agents.owner }).from(agents).where(eq(agents.name, agent));
      const ground = await standingGround(core, tx, s, ruleNamed(core, s.ruleName), owned?.owner ?? null);
      if (ground.ok !== false) return undefined;
      const revoked = await lapseStanding(tx, at, s, ground.reason);
      if (revoked) await record(core, tx, at, [revoked.event]);
      return revoked;
    });
    if (gone) lapsed.push(s.id);
  }
  if (lapsed.length > 0) core.log.info({ lapsed }, 'standing approvals whose grounds are gone lapsed');
  return lapsed;
}
