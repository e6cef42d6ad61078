import { SCOPES, type Scope } from '@countersign/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../context';
import type { Db } from '../../db/client';
import { agents, apiKeys } from '../../db/schema';
import type { Core } from '../core';
import { deprovisionedSql } from '../identity/deprovisioned';
import { parseKeyToken, secretMatches } from './key-token';

// Writing last-use on every call would put a write on every read; once a minute per key is enough.
const LAST_USED_EVERY_MS = 60_000;
const lastUsedWritten = new Map<string, number>();

// Every API call runs this lookup: one prepared query (key and its agent's owner together), per database.
const lookups = new WeakMap<Db, ReturnType<typeof prepareLookup>>();
/** The lookup's query (a remote database's path; tests read its plan). */
export function keyLookupQuery(db: Db) {
  return (
    db
      // Deprovisioning holds at once on every node: the identity provider's word is read with the key.
      .select({
        key: apiKeys,
        owner: agents.owner,
        gone: deprovisionedSql(sql`substr(${apiKeys.principal}, 6)`),
        ownerGone: deprovisionedSql(sql`${agents.owner}`),
      })
      .from(apiKeys)
      // By the agent's primary key: `'agent:' || name = principal` would scan every agent per call.
      .leftJoin(
        agents,
        and(
          eq(sql`substr(${apiKeys.principal}, 1, 6)`, 'agent:'),
          eq(agents.name, sql`substr(${apiKeys.principal}, 7)`),
        ),
      )
      .where(eq(apiKeys.id, sql.placeholder('id')))
      .limit(1)
  );
}
const prepareLookup = (db: Db) => keyLookupQuery(db).prepare();

/** The key, its agent's owner, and whether SCIM took the key's person or the owner away: one statement. */
async function lookupKey(core: Core, id: string) {
  // A local file: the statement prepared once on the long-lived reader connection (db/local.ts).
  const local = core.database.local;
  if (local) {
    const row = local.reads.keyById(id);
    return row && { key: row, owner: row.owner, gone: row.gone, ownerGone: row.ownerGone };
  }
  const db = core.database.db;
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = prepareLookup(db);
    lookups.set(db, lookup);
  }
  const [found] = await lookup.execute({ id });
  return (
    found && {
      key: found.key,
      owner: found.owner,
      gone: Boolean(found.gone),
      ownerGone: Boolean(found.ownerGone),
    }
  );
}

/** Turns a bearer token into an actor, or undefined when the key is unknown, wrong or revoked. */
export async function authenticate(core: Core, token: string): Promise<Actor | undefined> {
  const parsed = parseKeyToken(token);
  if (!parsed) return undefined;
  const found = await lookupKey(core, parsed.keyId);
  if (!found || !secretMatches(parsed.secret, found.key.secretHash)) return undefined;
  const actor = admit(core, found);
  if (actor) touch(core, found.key.id);
  return actor;
}

/**
 * Whether the key an actor came in with would still be let in now. An answer given long after the
 * request was authenticated (a long-poll's decision carries a grant token) asks again first, so a key
 * revoked, expired or deprovisioned while the caller waited gets nothing. Actors without a key pass.
 */
export async function credentialHolds(core: Core, actor: Actor): Promise<boolean> {
  if (!('keyId' in actor)) return true;
  const found = await lookupKey(core, actor.keyId);
  const now = found && admit(core, found);
  // An agent whose owner SCIM took away is let in to read, but nobody answers for a grant token
  // handed to it (submit and redeem refuse it: owner-active.ts), so a long answer is refused too.
  return now?.id === actor.id && !(now.kind === 'agent' && now.ownerGone === true);
}

/** authenticate's decision on a key already looked up and its secret checked. */
function admit(core: Core, found: NonNullable<Awaited<ReturnType<typeof lookupKey>>>): Actor | undefined {
  const { key, owner, gone, ownerGone } = found;
  if (key.revokedAt !== null) return undefined;
  if (key.expiresAt !== null && key.expiresAt <= core.now()) return undefined;
  const scopes = key.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  if (key.principal.startsWith('agent:')) {
    // An agent with no owner on record could approve itself through its owner: fail closed.
    if (!owner) return undefined;
    return {
      kind: 'agent',
      id: key.principal,
      name: key.principal.slice('agent:'.length),
      owner,
      keyId: key.id,
      scopes,
      ownerGone,
    };
  }
  if (key.principal.startsWith('user:')) {
    if (gone) return undefined;
    const email = key.principal.slice('user:'.length);
    return { kind: 'person', via: 'api', id: key.principal, email, keyId: key.id, scopes };
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
