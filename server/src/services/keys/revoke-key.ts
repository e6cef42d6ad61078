import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { apiKeys } from '../../db/schema';
import { forbidden, notFound } from '../../errors';
import type { Ctx } from '../core';

/** Revokes a key at once: the next request that presents it is refused. */
export async function revokeKey({
  ctx,
  id,
}: {
  ctx: Ctx;
  id: string;
}): Promise<{ id: string; revokedAt: string }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('revoking keys needs the admin scope');
  const at = await core.writes.run(async (tx) => {
    const now = core.now();
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ principal: apiKeys.principal });
    const row = revoked[0];
    if (!row) return undefined;
    await appendAudit(tx, now, [
      { type: 'key.revoked', actor: actor.id, subject: id, data: { keyId: id, principal: row.principal } },
    ]);
    return now;
  });
  if (at === undefined) throw notFound(`active key ${id}`);
  return { id, revokedAt: new Date(at).toISOString() };
}
