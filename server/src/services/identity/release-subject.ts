import { eq } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { hasScope } from '../../context';
import { idpSubjects } from '../../db/schema';
import { forbidden, notFound } from '../../errors';
import type { Ctx } from '../core';
import { usableEmail } from './usable-email';

/**
 * Forgets the identity provider subject pinned to a person's email at their first console sign-in,
 * so their next sign-in pins whatever subject the IdP sends then. For an account moved at the IdP
 * (a new tenant, a re-created user): until released, the new subject is refused as `subject_mismatch`
 * so that nobody inherits a recycled address silently. Releasing is that decision, taken by an
 * operator and audited with the subject it let go.
 */
export async function releaseSubject({
  ctx,
  email: given,
}: {
  ctx: Ctx;
  email: string;
}): Promise<{ email: string; issuer: string; subject: string }> {
  const { core, actor } = ctx;
  if (actor.kind !== 'system' && !hasScope(actor, 'admin'))
    throw forbidden('releasing an IdP subject needs the admin scope');
  const email = usableEmail(given, 'email');
  const released = await core.writes.run(async (tx) => {
    // One conditional delete: what it returns is exactly what was released, and a second release finds none.
    const [row] = await tx
      .delete(idpSubjects)
      .where(eq(idpSubjects.email, email))
      .returning({ issuer: idpSubjects.issuer, subject: idpSubjects.subject });
    if (!row) return undefined;
    await appendAudit(tx, core.now(), [
      {
        type: 'identity.subject_released',
        actor: actor.id,
        subject: `user:${email}`,
        data: { issuer: row.issuer, idpSubject: row.subject },
      },
    ]);
    return row;
  });
  if (!released) throw notFound(`an IdP subject pinned to ${email}`);
  return { email, ...released };
}
