import { appendAudit } from '../../audit/emit';
import type { Queryable } from '../../db/client';
import { consoleSessions, users } from '../../db/schema';
import { randomSecret } from '../../ids';
import { sha256Hex } from '../grants/tokens';
import type { SessionLimits } from './session-limits';

export type SignInVia = 'link' | 'oidc';
export type StartedSession = { token: string; email: string; expiresAt: number };

/**
 * Writes a new session row for a person the caller has already vouched for (a spent one-time link, an
 * identity provider's verified claim), in the caller's transaction, with its audit event. Only the
 * token's hash is stored; the token goes into the signed cookie.
 */
export async function startSession(
  tx: Queryable,
  at: number,
  person: { email: string; via: SignInVia; detail?: Record<string, unknown> },
  limits: SessionLimits,
): Promise<StartedSession> {
  const token = randomSecret();
  const idHash = sha256Hex(token);
  const expiresAt = at + limits.maxMs;
  await tx.insert(users).values({ email: person.email, createdAt: at }).onConflictDoNothing();
  await tx.insert(consoleSessions).values({
    idHash,
    email: person.email,
    via: person.via,
    csrfToken: randomSecret(),
    createdAt: at,
    lastSeenAt: at,
    expiresAt,
  });
  await appendAudit(tx, at, [
    {
      type: 'session.started',
      actor: `user:${person.email}`,
      subject: `user:${person.email}`,
      data: { via: person.via, session: idHash.slice(0, 16), ...person.detail },
    },
  ]);
  return { token, email: person.email, expiresAt };
}
