import { type ExportFormat, exportChunks } from '../../audit/export';
import type { AuditFilter } from '../../audit/query';
import { filePathOf } from '../../secret';
import type { Ctx } from '../core';
import { authorizeAuditRead } from './read-audit';

/**
 * The matching audit events as an export file's text (JSON, NDJSON or CSV), in chunks, made only as
 * fast as they are read. Authorized here, before the first chunk, so a refusal is a proper error.
 */
export function exportAudit({
  ctx,
  filter,
  format,
}: {
  ctx: Ctx;
  filter: AuditFilter;
  format: ExportFormat;
}): AsyncGenerator<string | Uint8Array> {
  authorizeAuditRead(ctx);
  const { url, db } = ctx.core.database;
  // A local file is read through its own read-only handle, as verify reads it: far faster.
  const file = url.startsWith('file:') ? filePathOf(url) : undefined;
  return exportChunks(db, filter, format, file);
}
