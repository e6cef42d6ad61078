import { randomInt } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import type { Actor } from '../../context';
import { pairingCodes, users } from '../../db/schema';
import { DomainError, forbidden } from '../../errors';
import { newId, randomSecret } from '../../ids';
import type { Core, Ctx } from '../core';
import { sha256Hex, webhookSecret } from '../grants/tokens';
import { deprovisionedError, isDeprovisioned } from '../identity/deprovisioned';
import { insertKey } from '../keys/create-key';
import { formatKeyToken } from '../keys/key-token';

export const PAIRING_TTL_MS = 10 * 60_000;
// Crockford's base32 without look-alikes: easy to read off a screen and type into a form.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const normalize = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, '');

/**
 * A one-time code that pairs a browser extension with the person Slack vouches for. 50 bits of
 * randomness, valid 10 minutes, single use; only its hash is stored.
 */
export async function issuePairingCode({ ctx }: { ctx: Ctx }): Promise<{ code: string; expiresAt: string }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || (actor.via !== 'slack' && actor.via !== 'teams'))
    throw forbidden('pairing codes are issued to people in Slack or Teams');
  if (await isDeprovisioned(core.database.db, actor.email)) throw deprovisionedError();
  const raw = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const code = `${raw.slice(0, 5)}-${raw.slice(5)}`;
  const at = core.now();
  await core.writes.run(async (tx) => {
    await tx.insert(pairingCodes).values({
      codeHash: sha256Hex(raw),
      email: actor.email,
      createdAt: at,
      expiresAt: at + PAIRING_TTL_MS,
    });
    await appendAudit(tx, at, [
      {
        type: 'pairing.issued',
        actor: actor.id,
        subject: actor.id,
        data: { expiresAt: new Date(at + PAIRING_TTL_MS).toISOString() },
      },
    ]);
  });
  return { code, expiresAt: new Date(at + PAIRING_TTL_MS).toISOString() };
}

export type Paired = { key: string; user: { id: string; email: string }; webhookSecret: string };

/**
 * Exchanges a pairing code for a personal `actions:write` key, once. A refused attempt is audited
 * with where it came from and a short prefix of the code's hash (enough to tell one mistyped code
 * retried from many guessed ones, too short to help anyone find the code), never the code itself.
 */
export async function pairExtension(
  core: Core,
  code: string,
  client: { address?: string | undefined } = {},
): Promise<Paired> {
  const codeHash = sha256Hex(normalize(code));
  const id = newId('key');
  const secret = randomSecret();
  const system: Actor = { kind: 'system', id: 'system:server' };
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const [row] = await tx.select().from(pairingCodes).where(eq(pairingCodes.codeHash, codeHash)).limit(1);
    const fail = async (refused: 'unknown' | 'used' | 'expired') => {
      await appendAudit(tx, at, [
        {
          type: 'pairing.failed',
          actor: system.id,
          subject: row ? `user:${row.email}` : null,
          data: { reason: refused, codeHashPrefix: codeHash.slice(0, 6), address: client.address ?? null },
        },
      ]);
      return { refused: refused === 'expired' ? ('expired' as const) : ('unknown' as const) };
    };
    if (!row) return fail('unknown');
    if (row.usedAt !== null) return fail('used');
    if (row.expiresAt <= at) return fail('expired');
    const spent = await tx
      .update(pairingCodes)
      .set({ usedAt: at })
      .where(
        and(eq(pairingCodes.codeHash, codeHash), isNull(pairingCodes.usedAt), gt(pairingCodes.expiresAt, at)),
      )
      .returning({ email: pairingCodes.email });
    const email = spent[0]?.email;
    if (!email) return fail('used');
    await tx.insert(users).values({ email, createdAt: at }).onConflictDoNothing();
    const principal = `user:${email}`;
    await insertKey(
      tx,
      at,
      { id, secret, principal, scopes: ['actions:write'], label: 'browser extension (paired from Slack)' },
      system.id,
    );
    return { refused: undefined, email };
  });
  if (outcome.refused === 'expired')
    throw new DomainError(
      'expired',
      'this pairing code has expired; run /approvals connect in Slack for a new one',
    );
  if (outcome.refused || !outcome.email)
    throw forbidden('this pairing code is not valid (each code works once); run /approvals connect in Slack');
  return {
    key: formatKeyToken(id, secret),
    user: { id: `user:${outcome.email}`, email: outcome.email },
    webhookSecret: webhookSecret(core.secret, id),
  };
}
