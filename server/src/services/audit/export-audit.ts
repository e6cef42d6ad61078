import { type ExportFormat, exportChunks } from '../../audit/export';
import type { AuditFilter } from '../../audit/query';
import { DomainError } from '../../errors';
import { filePathOf } from '../../secret';
import type { Ctx } from '../core';
import { credentialHolds } from '../keys/authenticate';
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
  return whileCredentialHolds(ctx, exportChunks(db, filter, format, file));
}

// An export of a large log streams for minutes. Asking once a second costs one indexed read per
// second of download; asking per chunk would cost one per 64 KB.
const RECHECK_MS = 1_000;

/**
 * The chunks, for as long as the caller's key would still be let in: revoked (or expired, or its
 * person deprovisioned) mid-download, the stream ends in an error rather than going on to the end.
 * The status line has gone out by then, so the cut connection is how the client learns of it.
 */
async function* whileCredentialHolds(
  { core, actor }: Ctx,
  chunks: AsyncGenerator<string | Uint8Array>,
): AsyncGenerator<string | Uint8Array> {
  let checkedAt = core.now();
  for await (const chunk of chunks) {
    if (core.now() - checkedAt >= RECHECK_MS) {
      if (!(await credentialHolds(core, actor)))
        throw new DomainError('unauthenticated', 'the API key was revoked or expired during the export');
      checkedAt = core.now();
    }
    yield chunk;
  }
}
