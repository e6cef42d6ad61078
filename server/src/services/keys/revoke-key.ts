import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { apiKeys } from '../../db/schema';
import { forbidden, notFound } from '../../errors';
import type { Ctx } from '../core';

export type Revoked = { id: string; revokedAt: string; alreadyRevoked: boolean };

/**
 * Revokes a key at once: the next request that presents it is refused. Revoking a revoked key changes
 * nothing and says when it was revoked (a retried script is not told the key does not exist).
 */
export async function revokeKey({ ctx, id }: { ctx: Ctx; id: string }): Promise<Revoked> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('revoking keys needs the admin scope');
  const result = await core.writes.run(async (tx) => {
    const now = core.now();
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ principal: apiKeys.principal });
    const row = revoked[0];
    if (!row) {
      const earlier = await tx
        .select({ revokedAt: apiKeys.revokedAt })
        .from(apiKeys)
        .where(eq(apiKeys.id, id));
      const revokedAt = earlier[0]?.revokedAt;
      return revokedAt == null ? undefined : { at: revokedAt, already: true };
    }
    await appendAudit(tx, now, [
      { type: 'key.revoked', actor: actor.id, subject: id, data: { keyId: id, principal: row.principal } },
    ]);
    return { at: now, already: false };
  });
  if (result === undefined) throw notFound(`key ${id}`);
  return { id, revokedAt: new Date(result.at).toISOString(), alreadyRevoked: result.already };
}
