import type { AuditEvent, AuditVerification } from '@countersign/shared';
import { checkpointKeyOf } from '../../audit/checkpoint-key';
import { type AuditFilter, queryAudit } from '../../audit/query';
import { verifyAudit } from '../../audit/verify';
import { hasScope } from '../../context';
import { forbidden } from '../../errors';
import { filePathOf } from '../../secret';
import type { Ctx } from '../core';
import { parseAnchor } from './parse-anchor';

export function authorizeAuditRead(ctx: Ctx): void {
  if (!hasScope(ctx.actor, 'audit:read')) throw forbidden('reading the audit log needs the audit:read scope');
}

/** The matching audit events in order, as a stream: an export of any size never sits in memory. */
export function readAudit({ ctx, filter }: { ctx: Ctx; filter: AuditFilter }): AsyncGenerator<AuditEvent> {
  authorizeAuditRead(ctx);
  return queryAudit(ctx.core.database.db, filter);
}

/**
 * Recomputes the hash chain end to end and checks every checkpoint in it against this install's key;
 * given a head kept elsewhere (`against`: a signed checkpoint or `<seq>:<hash>`, named `path` in
 * errors), also that the log still reaches it unchanged.
 */
export async function verifyAuditLog({
  ctx,
  against,
}: {
  ctx: Ctx;
  against?: { text: string; path: string } | undefined;
}): Promise<AuditVerification> {
  authorizeAuditRead(ctx);
  const key = checkpointKeyOf(ctx.core.secret);
  const anchor = against ? parseAnchor(against.text, key, against.path) : undefined;
  const { url } = ctx.core.database;
  // A local file is read through its own read-only handle, far faster for a long log.
  const file = url.startsWith('file:') ? filePathOf(url) : undefined;
  return verifyAudit(ctx.core.database.db, { key, anchor, file });
}
