import { type AuthenticationResponseJSON, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { and, eq } from 'drizzle-orm';
import { passkeys, type StepUpPurpose } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';
import { markVerified, pendingStepUp, refuseStepUp, stepUpFailed } from './pending-step-up';
import { relyingParty } from './settings';

const WORDS = {
  unknown: 'That step-up has expired or was not started here; approve again to start a new one.',
  not_yours: 'That passkey is not one of yours; use a passkey registered on your Security page.',
  not_verified: 'The passkey did not verify you (user verification is required); try again.',
} as const;

/**
 * Checks a WebAuthn assertion for a step-up: signed over the challenge this step-up issued, at this
 * console's origin and RP ID, with user verification, by a passkey the same person registered.
 * Verified, the step-up counts once for this request for five minutes.
 */
export async function verifyPasskeyStepUp({
  ctx,
  stepUpId,
  response,
}: {
  ctx: Ctx;
  stepUpId: string;
  response: AuthenticationResponseJSON;
}): Promise<{ actionId: string; comment: string | null; purpose: StepUpPurpose }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('A step-up is made by a person signed in to the console.');
  const rp = relyingParty(core.stepUp);
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const row = await pendingStepUp(core, tx, stepUpId, actor.email, 'passkey');
    const who = { person: actor.email, actionId: row?.actionId ?? null, stepUp: stepUpId, method: 'passkey' };
    if (!row?.challenge || !rp) return refuseStepUp(tx, at, who, 'unknown');
    const [key] = await tx
      .select()
      .from(passkeys)
      .where(and(eq(passkeys.id, String(response.id)), eq(passkeys.email, actor.email)))
      .limit(1);
    if (!key) return refuseStepUp(tx, at, who, 'not_yours');
    const checked = await verifyAuthenticationResponse({
      response,
      expectedChallenge: row.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      credential: {
        id: key.id,
        publicKey: Buffer.from(key.publicKey, 'base64url'),
        counter: key.counter,
        transports: key.transports,
      },
      requireUserVerification: true,
    }).catch((error: unknown) => {
      core.log.warn({ err: error, person: actor.email }, 'passkey assertion refused');
      return undefined;
    });
    if (!checked?.verified || !checked.authenticationInfo.userVerified)
      return refuseStepUp(tx, at, who, 'not_verified');
    await tx
      .update(passkeys)
      .set({ counter: checked.authenticationInfo.newCounter, lastUsedAt: at })
      .where(eq(passkeys.id, key.id));
    await markVerified(tx, at, row, { method: 'passkey', at, credentialId: key.id });
    return { actionId: row.actionId, comment: row.comment, purpose: row.purpose };
  });
  if ('refused' in outcome) throw stepUpFailed(WORDS[outcome.refused as keyof typeof WORDS]);
  return outcome;
}
