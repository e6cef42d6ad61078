import { type RegistrationResponseJSON, verifyRegistrationResponse } from '@simplewebauthn/server';
import { appendAudit } from '../../audit/emit';
import { passkeys } from '../../db/schema';
import { DomainError, forbidden, invalid } from '../../errors';
import type { Ctx } from '../core';
import { relyingParty } from '../step-up/settings';

/** Stores a passkey the person just created, once its attestation checks out; audited. */
export async function registerPasskey({
  ctx,
  challenge,
  response,
  name,
}: {
  ctx: Ctx;
  challenge: string;
  response: RegistrationResponseJSON;
  name: string;
}): Promise<{ id: string; name: string }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('Passkeys are added by a person signed in to the console.');
  const rp = relyingParty(core.stepUp);
  if (!rp) throw new DomainError('unavailable', 'Passkeys need COUNTERSIGN_PUBLIC_URL to be set.');
  const label = name.trim().slice(0, 80) || 'Passkey';
  const checked = await verifyRegistrationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpId,
    requireUserVerification: true,
  }).catch((error: unknown) => {
    core.log.warn({ err: error, person: actor.email }, 'passkey registration refused');
    return undefined;
  });
  if (!checked?.verified) throw invalid('The passkey could not be verified; try again.');
  const { credential } = checked.registrationInfo;
  await core.writes.run(async (tx) => {
    const at = core.now();
    await tx.insert(passkeys).values({
      id: credential.id,
      email: actor.email,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      name: label,
      createdAt: at,
    });
    await appendAudit(tx, at, [
      {
        type: 'passkey.registered',
        actor: actor.id,
        subject: actor.id,
        data: { credentialId: credential.id, name: label },
      },
    ]);
  });
  return { id: credential.id, name: label };
}
