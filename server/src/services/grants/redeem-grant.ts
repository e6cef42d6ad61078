import type { ErrorCode, RedeemInput } from '@countersign/shared';
import { and, eq, isNull } from 'drizzle-orm';
import { hasScope } from '../../context';
import { actions, grants } from '../../db/schema';
import { DomainError, forbidden } from '../../errors';
import type { Ctx } from '../core';
import { assertOwnerActive } from '../identity/owner-active';
import { record } from '../outbox/record';
import { sha256Hex } from './tokens';

export type Redeemed = { ok: true; actionId: string; grantId: string };

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  not_found: 'no grant has this token',
  forbidden: 'only the requester may redeem its grant',
  grant_used: 'this grant was already redeemed; it is single-use',
  grant_expired: 'this grant expired before it was redeemed',
  digest_mismatch: 'this grant is bound to a different action (the digest does not match)',
};

/**
 * Spends a grant: at most once, only before it expires, only by its requester, and only for the
 * exact action it was issued for. The spend is a conditional write on `redeemed_at IS NULL`. A retry
 * carrying the spending call's Idempotency-Key from the same API key (its answer was lost) gets the
 * same answer again, audited, until the grant's TTL ends; then 410, like any late redeem.
 */
export async function redeemGrant({
  ctx,
  input,
  idempotencyKey,
}: {
  ctx: Ctx;
  input: RedeemInput;
  idempotencyKey?: string | undefined;
}): Promise<Redeemed> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'actions:write')) throw forbidden('redeeming needs the actions:write scope');
  await assertOwnerActive(core, actor);
  const tokenHash = sha256Hex(input.token);
  const keyId =
    actor.kind === 'agent' || (actor.kind === 'person' && actor.via === 'api') ? actor.keyId : undefined;
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const [found] = await tx
      .select({ grant: grants, requesterId: actions.requesterId, action: actions.action })
      .from(grants)
      .innerJoin(actions, eq(actions.id, grants.actionId))
      .where(eq(grants.tokenHash, tokenHash))
      .limit(1);
    if (!found) return { code: 'not_found' as ErrorCode };
    const { grant } = found;
    const refuse = async (code: ErrorCode) => {
      await record(core, tx, at, [
        {
          type: 'grant.refused',
          actor: actor.id,
          subject: grant.actionId,
          data: { grantId: grant.id, action: found.action, code },
        },
      ]);
      return { code };
    };
    // A first redemption and its replay audit the same facts; only the event's type tells them apart.
    const redeemed = async (type: 'grant.redeemed' | 'grant.redeem_replayed') => {
      await record(core, tx, at, [
        {
          type,
          actor: actor.id,
          subject: grant.actionId,
          data: { grantId: grant.id, action: found.action, digest: grant.digest },
        },
      ]);
      return { code: undefined, actionId: grant.actionId, grantId: grant.id };
    };
    if (found.requesterId !== actor.id) return refuse('forbidden');
    if (grant.redeemedAt !== null) {
      // A replay is the spending call itself, retried: same Idempotency-Key, same API key, same
      // action. Anyone else holding the token (a leaked log line) learns only that it is spent.
      const replay =
        idempotencyKey !== undefined &&
        grant.redeemKey === idempotencyKey &&
        grant.redeemKeyId === keyId &&
        grant.digest === input.digest;
      if (!replay) return refuse('grant_used');
      // Past the grant's TTL the answer is stale: a caller still retrying then must not act on it.
      if (grant.expiresAt <= at) return refuse('grant_expired');
      return redeemed('grant.redeem_replayed');
    }
    if (grant.expiresAt <= at) return refuse('grant_expired');
    if (grant.digest !== input.digest) return refuse('digest_mismatch');
    const spent = await tx
      .update(grants)
      .set({ redeemedAt: at, redeemKey: idempotencyKey ?? null, redeemKeyId: keyId ?? null })
      .where(and(eq(grants.id, grant.id), isNull(grants.redeemedAt)))
      .returning({ id: grants.id });
    if (spent.length === 0) return refuse('grant_used');
    return redeemed('grant.redeemed');
  });
  if (outcome.code !== undefined || !('actionId' in outcome)) {
    const code = outcome.code ?? 'not_found';
    throw new DomainError(code, MESSAGES[code] ?? code);
  }
  return { ok: true, actionId: outcome.actionId, grantId: outcome.grantId };
}
