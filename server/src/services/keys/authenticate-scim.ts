import { eq } from 'drizzle-orm';
import { apiKeys } from '../../db/schema';
import type { Core } from '../core';
import { parseKeyToken, secretMatches } from './key-token';

/**
 * The identity provider's key for /scim/v2, or undefined. Only a `scim:` key with the `scim` scope
 * passes; `authenticate` refuses those keys everywhere else, so a SCIM key can do nothing but SCIM.
 */
export async function authenticateScim(
  core: Core,
  token: string,
): Promise<{ principal: string; keyId: string } | undefined> {
  const parsed = parseKeyToken(token);
  if (!parsed) return undefined;
  const [key] = await core.database.db.select().from(apiKeys).where(eq(apiKeys.id, parsed.keyId)).limit(1);
  if (!key || key.revokedAt !== null || !secretMatches(parsed.secret, key.secretHash)) return undefined;
  if (!key.principal.startsWith('scim:') || !key.scopes.includes('scim')) return undefined;
  return { principal: key.principal, keyId: key.id };
}
