import type { AuditInput } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { grants } from '../../db/schema';
import { hotOf } from '../../db/write-queue';
import { newId } from '../../ids';
import type { GrantRow } from '../actions/rows';
import type { Core } from '../core';
import { issueToken, sha256Hex } from './tokens';

/**
 * Issues the single-use grant an approved or allowed request yields, inside the deciding
 * transaction. Returns the row and the audit event, for the caller to append with its own.
 */
export async function issueGrant(
  core: Core,
  tx: Tx,
  at: number,
  request: { id: string; digest: string; grantTtlMs: number; action: string },
  actor: string,
): Promise<{ grant: GrantRow; event: AuditInput }> {
  const grant: GrantRow = {
    id: newId('grt'),
    actionId: request.id,
    tokenHash: '',
    digest: request.digest,
    createdAt: at,
    expiresAt: at + request.grantTtlMs,
    redeemedAt: null,
    redeemKey: null,
    redeemKeyId: null,
  };
  grant.tokenHash = sha256Hex(issueToken(core.secret, grant));
  const hot = hotOf(tx);
  if (hot) hot.insertGrant(grant);
  else await tx.insert(grants).values(grant);
  const event: AuditInput = {
    type: 'grant.issued',
    actor,
    subject: request.id,
    data: {
      grantId: grant.id,
      action: request.action,
      digest: request.digest,
      expiresAt: new Date(grant.expiresAt).toISOString(),
    },
  };
  return { grant, event };
}
