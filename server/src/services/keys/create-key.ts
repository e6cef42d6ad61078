import type { Scope } from '@countersign/shared';
import { eq } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import type { Tx } from '../../db/client';
import { agents, apiKeys, users } from '../../db/schema';
import { forbidden, invalid } from '../../errors';
import { newId, randomSecret } from '../../ids';
import type { Ctx } from '../core';
import { webhookSecret } from '../grants/tokens';
import { usableEmail } from '../identity/usable-email';
import { formatKeyToken, hashSecret } from './key-token';

export type CreateKeyInput =
  | {
      kind: 'agent';
      name: string;
      owner: string;
      scopes?: Scope[] | undefined;
      label?: string | undefined;
      expiresAt?: number | undefined;
    }
  | {
      kind: 'user';
      email: string;
      scopes?: Scope[] | undefined;
      label?: string | undefined;
      expiresAt?: number | undefined;
    }
  /** The identity provider's key for /scim/v2: the `scim` scope alone, principal `scim:<name>`. */
  | { kind: 'scim'; name: string; label?: string | undefined };

export type CreatedKey = {
  id: string;
  principal: string;
  scopes: Scope[];
  token: string;
  webhookSecret: string;
};

/** The answer to a new key: the token and webhook secret are shown this once, never stored. */
const created = (
  serverSecret: Buffer,
  key: { id: string; secret: string; principal: string; scopes: Scope[] },
): CreatedKey => ({
  id: key.id,
  principal: key.principal,
  scopes: key.scopes,
  token: formatKeyToken(key.id, key.secret),
  webhookSecret: webhookSecret(serverSecret, key.id),
});

/** Stores a new key (its secret's hash only) and audits it, inside the caller's transaction. */
export async function insertKey(
  tx: Tx,
  at: number,
  key: {
    id: string;
    secret: string;
    principal: string;
    scopes: Scope[];
    label?: string | undefined;
    expiresAt?: number | undefined;
  },
  actor: string,
): Promise<void> {
  const { id, principal, scopes } = key;
  await tx.insert(apiKeys).values({
    id,
    secretHash: hashSecret(key.secret),
    principal,
    scopes,
    label: key.label ?? null,
    createdAt: at,
    expiresAt: key.expiresAt ?? null,
  });
  const expires = key.expiresAt === undefined ? {} : { expiresAt: new Date(key.expiresAt).toISOString() };
  await appendAudit(tx, at, [
    { type: 'key.created', actor, subject: id, data: { keyId: id, principal, scopes, ...expires } },
  ]);
}

/** Makes an API key. The token is returned once, here; only its hash is kept. */
export async function createKey({
  ctx,
  input: given,
}: {
  ctx: Ctx;
  input: CreateKeyInput;
}): Promise<CreatedKey> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('creating keys needs the admin scope');
  // Whatever edge the key came through (CLI, API, console), the person it names is normalised here.
  const input: CreateKeyInput =
    given.kind === 'agent'
      ? { ...given, owner: usableEmail(given.owner, 'owner') }
      : given.kind === 'user'
        ? { ...given, email: usableEmail(given.email, 'user') }
        : given;
  if (input.kind === 'scim') return createScimKey(ctx, input);
  const defaults: Scope[] = input.kind === 'agent' ? ['actions:write'] : ['reviews:write'];
  const scopes: Scope[] = [...new Set(input.scopes ?? defaults)];
  // A key that provisions people must not also act as one: the scim scope comes alone, on a scim key.
  if (scopes.includes('scim'))
    throw invalid('the scim scope is only for an identity provider key (keys create --scim NAME)', [
      { path: 'scopes', message: 'scim not allowed here' },
    ]);
  if (input.kind === 'agent' && scopes.includes('reviews:write')) {
    throw invalid('agents cannot review: reviews:write is for user keys only', [
      { path: 'scopes', message: 'reviews:write not allowed for agents' },
    ]);
  }
  const principal = input.kind === 'agent' ? `agent:${input.name}` : `user:${input.email}`;
  const id = newId('key');
  const secret = randomSecret();

  const conflict = await core.writes.run(async (tx) => {
    const at = core.now();
    if (input.kind === 'agent') {
      const [existing] = await tx.select().from(agents).where(eq(agents.name, input.name)).limit(1);
      // An agent's owner decides who may never approve its requests: it must not change silently.
      if (existing && existing.owner !== input.owner) return existing.owner;
      if (!existing) await tx.insert(agents).values({ name: input.name, owner: input.owner, createdAt: at });
    } else {
      await tx.insert(users).values({ email: input.email, createdAt: at }).onConflictDoNothing();
    }
    if (input.expiresAt !== undefined && input.expiresAt <= at) return { expired: true } as const;
    await insertKey(
      tx,
      at,
      { id, secret, principal, scopes, label: input.label, expiresAt: input.expiresAt },
      actor.id,
    );
    return undefined;
  });
  if (typeof conflict === 'object')
    throw invalid('expiresAt must be in the future', [{ path: 'expiresAt', message: 'already past' }]);
  if (conflict !== undefined) {
    const name = input.kind === 'agent' ? input.name : '';
    throw invalid(
      // A new key never moves an agent (that would hand its history to whoever asks); reassigning is
      // the operator's own, audited step, so the refusal names it.
      `agent ${name} is owned by ${conflict}; to change its owner, run: countersign agents reassign ${name} --owner EMAIL`,
      [{ path: 'owner', message: `must be ${conflict}` }],
    );
  }
  return created(core.secret, { id, secret, principal, scopes });
}

const SCIM_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

async function createScimKey(
  ctx: Ctx,
  input: { name: string; label?: string | undefined },
): Promise<CreatedKey> {
  const { core, actor } = ctx;
  if (!SCIM_NAME.test(input.name))
    throw invalid('a SCIM key name is lower-case letters, digits, . _ - (e.g. okta)', [
      { path: 'name', message: 'lower-case letters, digits, . _ -' },
    ]);
  const principal = `scim:${input.name}`;
  const id = newId('key');
  const secret = randomSecret();
  const scopes: Scope[] = ['scim'];
  await core.writes.run((tx) =>
    insertKey(tx, core.now(), { id, secret, principal, scopes, label: input.label }, actor.id),
  );
  return created(core.secret, { id, secret, principal, scopes });
}
