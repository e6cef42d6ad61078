import type { Scope } from '@countersign/shared';
import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { apiKeys } from '../../db/schema';
import { forbidden, invalid, notFound } from '../../errors';
import { newId, randomSecret } from '../../ids';
import type { Ctx } from '../core';
import { webhookSecret } from '../grants/tokens';
import { insertKey } from './create-key';
import { formatKeyToken } from './key-token';

/** The longest an old key may keep working beside its replacement: long enough to roll out, no more. */
export const MAX_GRACE_MINUTES = 7 * 24 * 60;

export type RotateKeyInput = {
  /** When the new key stops working; none means it does not expire. */
  expiresAt?: number | undefined;
  /** Minutes the old key keeps working; 0 (the default) revokes it in the same transaction. */
  graceMinutes?: number | undefined;
};

export type RotatedKey = {
  id: string;
  principal: string;
  scopes: Scope[];
  expiresAt: string | null;
  token: string;
  webhookSecret: string;
  replaced: { id: string; revokedAt: string | null; expiresAt: string | null };
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Replaces a key with a new one for the same principal, scopes and label, in one transaction: the new
 * key is made and the old one revoked (or cut to a short grace period) together, so there is never a
 * moment with two long-lived keys nor one with none. The old key must still be usable: rotating a
 * revoked or expired key would mint access for someone whose access already ended.
 */
export async function rotateKey({
  ctx,
  id,
  input,
}: {
  ctx: Ctx;
  id: string;
  input: RotateKeyInput;
}): Promise<RotatedKey> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('rotating keys needs the admin scope');
  const grace = input.graceMinutes ?? 0;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_MINUTES)
    throw invalid(`the grace period is whole minutes from 0 to ${MAX_GRACE_MINUTES}`, [
      { path: 'graceMinutes', message: `0–${MAX_GRACE_MINUTES}` },
    ]);
  const newKeyId = newId('key');
  const secret = randomSecret();

  const outcome = await core.writes.run(async (tx) => {
    const now = core.now();
    if (input.expiresAt !== undefined && input.expiresAt <= now) return { refused: 'past' } as const;
    const [old] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
    if (!old) return { refused: 'missing' } as const;
    if (old.revokedAt !== null || (old.expiresAt !== null && old.expiresAt <= now))
      return { refused: 'ended' } as const;
    // A SCIM key is rotated too: the identity provider gets the new bearer token the same way.
    const scopes = old.scopes as Scope[];
    // The grace never lengthens a key's life: an old key due to expire sooner keeps its own expiry.
    const graceEnds =
      grace === 0 ? null : Math.min(now + grace * 60_000, old.expiresAt ?? Number.MAX_SAFE_INTEGER);
    const ended = await tx
      .update(apiKeys)
      .set(grace === 0 ? { revokedAt: now } : { expiresAt: graceEnds })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    // Revoked between the read and the write (another admin): a conflict, never a second live key.
    if (ended.length === 0) return { refused: 'ended' } as const;
    await insertKey(
      tx,
      now,
      {
        id: newKeyId,
        secret,
        principal: old.principal,
        scopes,
        label: old.label ?? undefined,
        expiresAt: input.expiresAt,
      },
      actor.id,
    );
    const oldRevokedAt = grace === 0 ? now : null;
    const oldExpiresAt = grace === 0 ? old.expiresAt : graceEnds;
    await appendAudit(tx, now, [
      {
        type: 'key.rotated',
        actor: actor.id,
        subject: id,
        data: {
          keyId: id,
          newKeyId,
          principal: old.principal,
          graceMinutes: grace,
          ...(oldRevokedAt !== null && { revokedAt: new Date(oldRevokedAt).toISOString() }),
          ...(grace !== 0 && oldExpiresAt !== null && { expiresAt: new Date(oldExpiresAt).toISOString() }),
        },
      },
    ]);
    return { principal: old.principal, scopes, oldRevokedAt, oldExpiresAt } as const;
  });
  if ('refused' in outcome) {
    if (outcome.refused === 'missing') throw notFound(`key ${id}`);
    if (outcome.refused === 'past')
      throw invalid('expiresAt must be in the future', [{ path: 'expiresAt', message: 'already past' }]);
    throw invalid(`key ${id} is revoked or expired: make a new key instead of rotating it`, [
      { path: 'id', message: 'not an active key' },
    ]);
  }
  return {
    id: newKeyId,
    principal: outcome.principal,
    scopes: outcome.scopes,
    expiresAt: iso(input.expiresAt ?? null),
    token: formatKeyToken(newKeyId, secret),
    webhookSecret: webhookSecret(core.secret, newKeyId),
    replaced: { id, revokedAt: iso(outcome.oldRevokedAt), expiresAt: iso(outcome.oldExpiresAt) },
  };
}
