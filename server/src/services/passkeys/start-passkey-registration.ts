import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server';
import { eq } from 'drizzle-orm';
import { passkeys } from '../../db/schema';
import { DomainError, forbidden } from '../../errors';
import type { Ctx } from '../core';
import { relyingParty } from '../step-up/settings';

/**
 * What the browser needs to create a passkey for the signed-in person (user verification required,
 * their existing passkeys excluded). The challenge is kept by the caller (a signed, short-lived cookie)
 * and handed back to `registerPasskey`.
 */
export async function startPasskeyRegistration({
  ctx,
}: {
  ctx: Ctx;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('Passkeys are added by a person signed in to the console.');
  const rp = relyingParty(core.stepUp);
  if (!rp) throw new DomainError('unavailable', 'Passkeys need COUNTERSIGN_PUBLIC_URL to be set.');
  const mine = await core.database.db.select().from(passkeys).where(eq(passkeys.email, actor.email));
  return generateRegistrationOptions({
    rpName: 'Countersign',
    rpID: rp.rpId,
    userName: actor.email,
    userID: new TextEncoder().encode(actor.email),
    attestationType: 'none',
    excludeCredentials: mine.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    timeout: 120_000,
  });
}
