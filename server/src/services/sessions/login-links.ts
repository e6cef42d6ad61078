import { and, eq, gt, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { loginLinks } from '../../db/schema';
import { DomainError, forbidden } from '../../errors';
import { randomSecret } from '../../ids';
import type { Core, Ctx } from '../core';
import { sha256Hex } from '../grants/tokens';
import { deprovisionedError, isDeprovisioned } from '../identity/deprovisioned';
import { usableEmail } from '../identity/usable-email';
import type { SessionLimits } from './session-limits';
import { type StartedSession, startSession } from './start-session';

export const LOGIN_LINK_TTL_MS = 10 * 60_000;

/**
 * A one-time console sign-in link for a person, issued by the operator on the database host (the
 * first admin of an install, or everyone while no identity provider is configured). 256 bits, valid
 * 10 minutes, single use; only its hash is stored. No passwords: whoever runs the CLI vouches.
 */
export async function issueLoginLink({
  ctx,
  email,
}: {
  ctx: Ctx;
  email: string;
}): Promise<{ token: string; email: string; expiresAt: string }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('sign-in links are issued by the operator or an admin');
  const person = usableEmail(email, 'user');
  const token = randomSecret();
  const at = core.now();
  const expiresAt = new Date(at + LOGIN_LINK_TTL_MS).toISOString();
  await core.writes.run(async (tx) => {
    await tx.insert(loginLinks).values({
      tokenHash: sha256Hex(token),
      email: person,
      createdAt: at,
      expiresAt: at + LOGIN_LINK_TTL_MS,
    });
    await appendAudit(tx, at, [
      { type: 'session.link_issued', actor: actor.id, subject: `user:${person}`, data: { expiresAt } },
    ]);
  });
  return { token, email: person, expiresAt };
}

/**
 * Spends a one-time link and starts a session, in one transaction: of two racing uses exactly one
 * signs in (a conditional write on `used_at IS NULL`). Every refusal is audited with where it came
 * from and a short prefix of the token's hash, never the token.
 */
export async function redeemLoginLink(
  core: Core,
  token: string,
  limits: SessionLimits,
  client: { address?: string | undefined } = {},
): Promise<StartedSession> {
  const tokenHash = sha256Hex(token);
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const [row] = await tx.select().from(loginLinks).where(eq(loginLinks.tokenHash, tokenHash)).limit(1);
    const fail = async (reason: 'unknown' | 'used' | 'expired' | 'deprovisioned') => {
      await appendAudit(tx, at, [
        {
          type: 'session.refused',
          actor: 'system:server',
          subject: row ? `user:${row.email}` : null,
          data: {
            via: 'link',
            reason,
            tokenHashPrefix: tokenHash.slice(0, 6),
            address: client.address ?? null,
          },
        },
      ]);
      return { refused: reason } as const;
    };
    if (!row) return fail('unknown');
    if (row.usedAt !== null) return fail('used');
    if (row.expiresAt <= at) return fail('expired');
    // A link issued before the identity provider deactivated the person must not outlive them.
    if (await isDeprovisioned(tx, row.email)) return fail('deprovisioned');
    const spent = await tx
      .update(loginLinks)
      .set({ usedAt: at })
      .where(
        and(eq(loginLinks.tokenHash, tokenHash), isNull(loginLinks.usedAt), gt(loginLinks.expiresAt, at)),
      )
      .returning({ email: loginLinks.email });
    const email = spent[0]?.email;
    if (!email) return fail('used');
    return { session: await startSession(tx, at, { email, via: 'link' }, limits) };
  });
  if ('session' in outcome) return outcome.session;
  if (outcome.refused === 'deprovisioned') throw deprovisionedError();
  if (outcome.refused === 'expired')
    throw new DomainError(
      'expired',
      'this sign-in link has expired; ask for a new one (countersign login --user)',
    );
  throw forbidden('this sign-in link is not valid (each link works once); ask for a new one');
}
