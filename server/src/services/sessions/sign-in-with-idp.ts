import { normalizeEmail } from '@countersign/shared';
import { and, eq } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { idpSubjects } from '../../db/schema';
import { DomainError, forbidden } from '../../errors';
import type { Core } from '../core';
import { isDeprovisioned } from '../identity/deprovisioned';
import type { SessionLimits } from './session-limits';
import { type StartedSession, startSession } from './start-session';

/** What the identity provider said about the person, after openid-client verified the ID token. */
export type IdpClaims = {
  issuer: string;
  subject: string;
  email?: unknown;
  emailVerified?: unknown;
};

export type IdpRefusal =
  | 'no_email'
  | 'email_unverified'
  | 'email_unusable'
  | 'subject_mismatch'
  | 'deprovisioned';

const WORDS: Record<IdpRefusal, string> = {
  no_email: 'your identity provider did not send an email address; ask your admin to release the email claim',
  email_unverified:
    'your identity provider says your email address is not verified, so it cannot name you here',
  email_unusable: 'the email address your identity provider sent cannot name a person here',
  subject_mismatch:
    'this email address already belongs to another account at your identity provider; an admin must release it',
  deprovisioned: 'the identity provider has deactivated this account; it can no longer sign in here',
};

/**
 * A person signing in through the identity provider. They are `user:<email>` only from a verified
 * email claim (or an issuer the install lists as verifying every email). The IdP's subject is pinned
 * to the email on first sign-in: a recycled address arriving with another subject is refused and
 * audited, so no one inherits someone else's history silently.
 */
export async function signInWithIdp(
  core: Core,
  claims: IdpClaims,
  options: { trustsEmails: boolean; limits: SessionLimits; address?: string | undefined },
): Promise<StartedSession> {
  const checked = typeof claims.email === 'string' ? normalizeEmail(claims.email) : undefined;
  const email = checked?.ok ? checked.email : undefined;
  const refusal: IdpRefusal | undefined =
    typeof claims.email !== 'string' || claims.email === ''
      ? 'no_email'
      : !email
        ? 'email_unusable'
        : claims.emailVerified !== true && !options.trustsEmails
          ? 'email_unverified'
          : undefined;
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const refuse = async (reason: IdpRefusal) => {
      await appendAudit(tx, at, [
        {
          type: 'session.refused',
          actor: 'system:server',
          subject: email ? `user:${email}` : null,
          data: {
            via: 'oidc',
            reason,
            issuer: claims.issuer,
            idpSubject: claims.subject,
            address: options.address ?? null,
          },
        },
      ]);
      return { refused: reason } as const;
    };
    if (refusal || !email) return refuse(refusal ?? 'email_unusable');
    // The IdP may still sign in someone SCIM has deactivated (a stale IdP session): SCIM decides.
    if (await isDeprovisioned(tx, email)) return refuse('deprovisioned');
    const [pinned] = await tx.select().from(idpSubjects).where(eq(idpSubjects.email, email)).limit(1);
    if (pinned && (pinned.issuer !== claims.issuer || pinned.subject !== claims.subject))
      return refuse('subject_mismatch');
    if (!pinned) {
      // The same subject under a new email is a rename at the IdP; the unique index refuses a second pin.
      const taken = await tx
        .select({ email: idpSubjects.email })
        .from(idpSubjects)
        .where(and(eq(idpSubjects.issuer, claims.issuer), eq(idpSubjects.subject, claims.subject)))
        .limit(1);
      if (taken.length > 0) return refuse('subject_mismatch');
      await tx
        .insert(idpSubjects)
        .values({ email, issuer: claims.issuer, subject: claims.subject, createdAt: at });
    }
    const detail = { issuer: claims.issuer, idpSubject: claims.subject, pinned: !pinned };
    return { session: await startSession(tx, at, { email, via: 'oidc', detail }, options.limits) };
  });
  if ('session' in outcome) return outcome.session;
  const reason = outcome.refused;
  if (reason === 'email_unusable' || reason === 'deprovisioned')
    throw new DomainError('identity_unusable', WORDS[reason]);
  throw forbidden(WORDS[reason]);
}
