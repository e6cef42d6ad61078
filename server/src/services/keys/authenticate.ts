import { SCOPES, type Scope } from '@countersign/shared';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../context';
import { agents, apiKeys } from '../../db/schema';
import type { Core } from '../core';
import { parseKeyToken, secretMatches } from './key-token';

// Writing last-use on every call would put a write on every read; once a minute per key is enough.
const LAST_USED_EVERY_MS = 60_000;
const lastUsedWritten = new Map<string, number>();

/** Turns a bearer token into an actor, or undefined when the key is unknown, wrong or revoked. */
export async function authenticate(core: Core, token: string): Promise<Actor | undefined> {
  const parsed = parseKeyToken(token);
  if (!parsed) return undefined;
  const db = core.database.db;
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.id, parsed.keyId)).limit(1);
  if (!key || key.revokedAt !== null || !secretMatches(parsed.secret, key.secretHash)) return undefined;
  const scopes = key.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  touch(core, key.id);
  if (key.principal.startsWith('agent:')) {
    const name = key.principal.slice('agent:'.length);
    const [agent] = await db.select().from(agents).where(eq(agents.name, name)).limit(1);
    // An agent with no owner on record could approve itself through its owner: fail closed.
    if (!agent) return undefined;
    return { kind: 'agent', id: key.principal, name, owner: agent.owner, keyId: key.id, scopes };
  }
  if (key.principal.startsWith('user:')) {
    return {
      kind: 'person',
      via: 'api',
      id: key.principal,
      email: key.principal.slice('user:'.length),
      keyId: key.id,
      scopes,
    };
  }
  return undefined;
}

function touch(core: Core, keyId: string): void {
  const now = core.now();
  if (now - (lastUsedWritten.get(keyId) ?? 0) < LAST_USED_EVERY_MS) return;
  lastUsedWritten.set(keyId, now);
  core.writes
    .run((tx) => tx.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, keyId)))
    .catch((error: unknown) => core.log.warn({ err: error, keyId }, 'could not record key use'));
}
