import { eq } from 'drizzle-orm';
import { idpSubjects, type StepUpPurpose } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';
import { markVerified, pendingStepUp, refuseStepUp, stepUpFailed } from './pending-step-up';

/** What the IdP's ID token said after the step-up round (openid-client verified its signature). */
export type MfaClaims = {
  issuer: string;
  subject: string;
  email?: unknown;
  emailVerified?: unknown;
  acr?: unknown;
  amr?: unknown;
  /** `auth_time`, seconds since the epoch. */
  authTime?: unknown;
};

const WORDS = {
  unknown: 'That step-up has expired or was not started here; approve again to start a new one.',
  other_person: 'Your identity provider signed in someone else; the step-up must be made by you.',
  not_fresh: 'Your identity provider did not ask you to sign in again; approve again to retry.',
  not_mfa: 'Your identity provider did not report a sign-in with MFA; this approval needs one.',
} as const;

/**
 * Checks the ID token of a step-up round: the same person as the session (their pinned IdP subject,
 * or their verified email before one is pinned), a sign-in after the Approve click (`auth_time`), and
 * MFA as the install defines it (an `acr` of COUNTERSIGN_OIDC_MFA_ACR or an `amr` of
 * COUNTERSIGN_OIDC_MFA_AMR). Verified, the step-up counts once for this request for five minutes.
 */
export async function verifyMfaStepUp({
  ctx,
  stepUpId,
  claims,
}: {
  ctx: Ctx;
  stepUpId: string;
  claims: MfaClaims;
}): Promise<{ actionId: string; comment: string | null; purpose: StepUpPurpose }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('A step-up is made by a person signed in to the console.');
  const settings = core.stepUp;
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const row = await pendingStepUp(core, tx, stepUpId, actor.email, 'mfa');
    const who = { person: actor.email, actionId: row?.actionId ?? null, stepUp: stepUpId, method: 'mfa' };
    if (!row) return refuseStepUp(tx, at, who, 'unknown');
    const [pinned] = await tx.select().from(idpSubjects).where(eq(idpSubjects.email, actor.email)).limit(1);
    const samePerson = pinned
      ? pinned.issuer === claims.issuer && pinned.subject === claims.subject
      : typeof claims.email === 'string' &&
        claims.email.toLowerCase() === actor.email &&
        claims.emailVerified === true;
    if (!samePerson) return refuseStepUp(tx, at, who, 'other_person');
    // auth_time has whole seconds: a sign-in in the same second as the click counts.
    const authTime = typeof claims.authTime === 'number' ? claims.authTime : undefined;
    if (authTime === undefined || authTime < Math.floor(row.startedAt / 1000))
      return refuseStepUp(tx, at, who, 'not_fresh');
    const acr = typeof claims.acr === 'string' ? claims.acr : undefined;
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
    const mfa =
      (acr !== undefined && settings.mfaAcr.includes(acr)) || amr.some((m) => settings.mfaAmr.includes(m));
    if (!mfa) return refuseStepUp(tx, at, who, 'not_mfa');
    await markVerified(tx, at, row, {
      method: 'mfa',
      at: authTime * 1000,
      ...(acr !== undefined && { acr }),
      ...(amr.length > 0 && { amr }),
    });
    return { actionId: row.actionId, comment: row.comment, purpose: row.purpose };
  });
  if ('refused' in outcome) {
    core.log.warn({ person: actor.email, stepUp: stepUpId, reason: outcome.refused }, 'step-up refused');
    throw stepUpFailed(WORDS[outcome.refused as keyof typeof WORDS]);
  }
  return outcome;
}
