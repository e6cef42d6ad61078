import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { consoleSessions } from '../../db/schema';
import type { Core } from '../core';
import { sha256Hex } from '../grants/tokens';
import { type SessionLimits, TOUCH_EVERY_MS } from './session-limits';

export type LiveSession = { id: string; email: string; csrfToken: string; expiresAt: number };
export type SessionRefusal = 'unknown' | 'ended' | 'idle' | 'expired';

/**
 * The session a console cookie's token names, if it is still live: not ended, not idle longer than
 * the idle limit, not past its absolute expiry. A session found timed out is ended here, audited,
 * so the record says why the person was sent back to sign in.
 */
export async function resumeSession(
  core: Core,
  token: string,
  limits: SessionLimits,
): Promise<LiveSession | { refused: SessionRefusal }> {
  const idHash = sha256Hex(token);
  const [row] = await core.database.db
    .select()
    .from(consoleSessions)
    .where(eq(consoleSessions.idHash, idHash))
    .limit(1);
  if (!row) return { refused: 'unknown' };
  if (row.endedAt !== null) return { refused: 'ended' };
  const now = core.now();
  const timedOut: SessionRefusal | undefined =
    row.expiresAt <= now ? 'expired' : row.lastSeenAt + limits.idleMs <= now ? 'idle' : undefined;
  if (timedOut) {
    await core.writes.run(async (tx) => {
      const ended = await tx
        .update(consoleSessions)
        .set({ endedAt: now, endedReason: timedOut })
        .where(and(eq(consoleSessions.idHash, idHash), isNull(consoleSessions.endedAt)))
        .returning({ email: consoleSessions.email });
      if (ended.length === 0) return;
      await appendAudit(tx, now, [
        {
          type: 'session.ended',
          actor: 'system:server',
          subject: `user:${row.email}`,
          data: { reason: timedOut, session: idHash.slice(0, 16) },
        },
      ]);
    });
    return { refused: timedOut };
  }
  if (now - row.lastSeenAt >= TOUCH_EVERY_MS) {
    // Only moves forward and only while live: a sign-out racing this touch still wins.
    await core.writes.run((tx) =>
      tx
        .update(consoleSessions)
        .set({ lastSeenAt: now })
        .where(and(eq(consoleSessions.idHash, idHash), isNull(consoleSessions.endedAt))),
    );
  }
  return { id: idHash, email: row.email, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
}
