import type { AuditEvent, AuditVerification } from '@countersign/shared';
import { type AuditFilter, queryAudit } from '../../audit/query';
import { verifyAudit } from '../../audit/verify';
import { hasScope } from '../../context';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';

function authorize(ctx: Ctx): void {
  if (!hasScope(ctx.actor, 'audit:read')) throw forbidden('reading the audit log needs the audit:read scope');
}

/** The matching audit events in order, as a stream: an export of any size never sits in memory. */
export function readAudit({ ctx, filter }: { ctx: Ctx; filter: AuditFilter }): AsyncGenerator<AuditEvent> {
  authorize(ctx);
  return queryAudit(ctx.core.database.db, filter);
}

/** Recomputes the hash chain end to end. */
export async function verifyAuditLog({ ctx }: { ctx: Ctx }): Promise<AuditVerification> {
  authorize(ctx);
  return verifyAudit(ctx.core.database.db);
}
