import { asc, eq } from 'drizzle-orm';
import { passkeys } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';

export type PasskeySummary = { id: string; name: string; createdAt: number; lastUsedAt: number | null };

/** The signed-in person's own passkeys; no one lists anyone else's. */
export async function listPasskeys({ ctx }: { ctx: Ctx }): Promise<PasskeySummary[]> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('Passkeys belong to a console person.');
  return core.database.db
    .select({
      id: passkeys.id,
      name: passkeys.name,
      createdAt: passkeys.createdAt,
      lastUsedAt: passkeys.lastUsedAt,
    })
    .from(passkeys)
    .where(eq(passkeys.email, actor.email))
    .orderBy(asc(passkeys.createdAt));
}
