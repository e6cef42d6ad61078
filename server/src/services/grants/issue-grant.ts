import { appendAudit } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { grants } from '../../db/schema';
import { newId } from '../../ids';
import type { Core } from '../core';
import { grantToken, sha256Hex } from './tokens';

/** Issues the single-use grant an approved or allowed request yields, inside the deciding transaction. */
export async function issueGrant(
  core: Core,
  tx: Tx,
  at: number,
  request: { id: string; digest: string; grantTtlMs: number; action: string },
  actor: string,
): Promise<void> {
  const id = newId('grt');
  const expiresAt = at + request.grantTtlMs;
  await tx.insert(grants).values({
    id,
    actionId: request.id,
    tokenHash: sha256Hex(grantToken(core.secret, id)),
    digest: request.digest,
    createdAt: at,
    expiresAt,
  });
  await appendAudit(tx, at, [
    {
      type: 'grant.issued',
      actor,
      subject: request.id,
      data: {
        grantId: id,
        action: request.action,
        digest: request.digest,
        expiresAt: new Date(expiresAt).toISOString(),
      },
    },
  ]);
}
