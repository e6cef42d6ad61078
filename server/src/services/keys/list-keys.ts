import { desc } from 'drizzle-orm';
import { hasScope } from '../../context';
import { apiKeys } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';

export type KeySummary = {
  id: string;
  principal: string;
  scopes: string[];
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Every key, newest first, without any secret material. */
export async function listKeys({ ctx }: { ctx: Ctx }): Promise<KeySummary[]> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('listing keys needs the admin scope');
  const rows = await core.database.db.select().from(apiKeys).orderBy(desc(apiKeys.id));
  return rows.map((r) => ({
    id: r.id,
    principal: r.principal,
    scopes: r.scopes,
    label: r.label,
    createdAt: new Date(r.createdAt).toISOString(),
    lastUsedAt: iso(r.lastUsedAt),
    revokedAt: iso(r.revokedAt),
    expiresAt: iso(r.expiresAt),
  }));
}
