import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { consoleSessions } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';

export type EndReason = 'signed_out' | 'signed_out_everywhere' | 'deprovisioned' | 'revoked_by_admin';

/** Signs the acting console session out. Ending an ended session changes nothing. */
export async function endSession({ ctx }: { ctx: Ctx }): Promise<{ ended: number }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('only a console session can sign itself out');
  return core.writes.run(async (tx) => {
    const at = core.now();
    const ended = await tx
      .update(consoleSessions)
      .set({ endedAt: at, endedReason: 'signed_out' })
      .where(and(eq(consoleSessions.idHash, actor.sessionId), isNull(consoleSessions.endedAt)))
      .returning({ idHash: consoleSessions.idHash });
    if (ended.length > 0)
      await appendAudit(tx, at, [
        {
          type: 'session.ended',
          actor: actor.id,
          subject: actor.id,
          data: { reason: 'signed_out', session: actor.sessionId.slice(0, 16) },
        },
      ]);
    return { ended: ended.length };
  });
}

/**
 * Ends every live console session of one person, at once: the next page they load sends them to
 * sign in. A person may end their own (sign out everywhere); an admin or the system may end anyone's
 * (SCIM deprovisioning, an admin responding to a lost laptop). `person` is the email, normalised.
 */
export async function endSessionsOf({
  ctx,
  person,
  reason,
}: {
  ctx: Ctx;
  person: string;
  reason?: EndReason;
}): Promise<{ ended: number }> {
  const { core, actor } = ctx;
  const self = actor.kind === 'person' && actor.email === person;
  if (!self && !hasScope(actor, 'admin'))
    throw forbidden("ending someone else's sessions needs the admin scope");
  const why: EndReason = reason ?? (self ? 'signed_out_everywhere' : 'revoked_by_admin');
  return core.writes.run(async (tx) => {
    const at = core.now();
    const ended = await tx
      .update(consoleSessions)
      .set({ endedAt: at, endedReason: why })
      .where(and(eq(consoleSessions.email, person), isNull(consoleSessions.endedAt)))
      .returning({ idHash: consoleSessions.idHash });
    if (ended.length > 0)
      await appendAudit(tx, at, [
        {
          type: 'session.ended',
          actor: actor.id,
          subject: `user:${person}`,
          data: { reason: why, sessions: ended.length },
        },
      ]);
    return { ended: ended.length };
  });
}
