import { and, eq } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import { passkeys } from '../../db/schema';
import { forbidden, notFound } from '../../errors';
import type { Ctx } from '../core';

/** Removes one of the person's own passkeys (a conditional delete: someone else's is not found); audited. */
export async function removePasskey({ ctx, id }: { ctx: Ctx; id: string }): Promise<void> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('Passkeys belong to a console person.');
  const removed = await core.writes.run(async (tx) => {
    const at = core.now();
    const gone = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.id, id), eq(passkeys.email, actor.email)))
      .returning({ id: passkeys.id, name: passkeys.name });
    const [row] = gone;
    if (!row) return false;
    await appendAudit(tx, at, [
      {
        type: 'passkey.removed',
        actor: actor.id,
        subject: actor.id,
        data: { credentialId: row.id, name: row.name },
      },
    ]);
    return true;
  });
  if (!removed) throw notFound(`passkey ${id}`);
}
