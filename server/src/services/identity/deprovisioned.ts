import { eq, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { scimUsers } from '../../db/schema';
import { DomainError } from '../../errors';

/**
 * Whether the identity provider has taken this person away: it knows them (some SCIM user row has
 * their email) and no live, active row remains. People SCIM never provisioned are not affected: the
 * policy's email groups and Slack still vouch for them, as before SCIM was connected.
 * `email` is an SQL expression, so the hot path (authenticate) can fold it into its one query.
 */
export const deprovisionedSql = (email: SQL | string): SQL<number> =>
  sql<number>`(SELECT count(*) > 0 AND coalesce(sum(${scimUsers.active} = 1 AND ${scimUsers.deletedAt} IS NULL), 0) = 0 FROM ${scimUsers} WHERE ${scimUsers.email} = ${email})`;

/** Read from the database each time, never a cache: deprovisioning must hold on every node at once. */
export async function isDeprovisioned(db: Queryable, email: string): Promise<boolean> {
  const rows = await db
    .select({ active: scimUsers.active, deletedAt: scimUsers.deletedAt })
    .from(scimUsers)
    .where(eq(scimUsers.email, email));
  return rows.length > 0 && !rows.some((r) => r.active && r.deletedAt === null);
}

export const deprovisionedError = () =>
  new DomainError(
    'identity_unusable',
    'The identity provider has deactivated this account; it can no longer review, pair or use keys.',
  );
