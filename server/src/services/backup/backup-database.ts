import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AuditCheckpoint, AuditVerification } from '@countersign/shared';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { checkpointKeyOf } from '../../audit/checkpoint-key';
import { verifyAudit } from '../../audit/verify';
import * as schema from '../../db/schema';
import { forbidden, invalid } from '../../errors';
import { checkpointAudit } from '../audit/checkpoint-audit';
import type { Ctx } from '../core';

export type BackupResult =
  | { file: string; bytes: number; verification: AuditVerification; checkpoint: AuditCheckpoint }
  /** Nothing was written at `file`: the log or the copy did not prove itself. */
  | { refused: string }
  /** Nothing was written: `file` cannot be created (it exists, or its folder is missing or not writable). */
  | { cannotCreate: string };

/**
 * Writes a consistent copy of a file database to `file` while the server keeps writing, and reports
 * success only once the copy proves itself: its audit chain verifies, every checkpoint in it is this
 * install's, and it reaches the head signed just before the copy was taken. The copy is made beside
 * `file` under a private name, mode 0600 from its first byte, and only linked into place once checked,
 * so `file` never holds a partial or unverified copy and an existing file is never overwritten.
 */
export async function backupDatabase({ ctx, file }: { ctx: Ctx; file: string }): Promise<BackupResult> {
  if (ctx.actor.kind !== 'system') throw forbidden('backups are taken by the operator');
  const { database } = ctx.core;
  if (!database.isLocal) {
    throw invalid(
      'backup: COUNTERSIGN_DB_URL names a libSQL server; `countersign backup` copies a local file database only. ' +
        "Back the server up with sqld's own tooling (stop it and copy its data directory, or its replication), " +
        'then check the restored copy with `countersign audit verify --against` a checkpoint kept from before.',
    );
  }
  const target = resolve(file);
  // Checked before signing a checkpoint for it: a typo in the path must not cost an audit event.
  const problem = await destinationProblem(target);
  if (problem) return { cannotCreate: problem };

  // Sign the head now (after checking the tail since the last checkpoint), so the copy is checked
  // against a statement that covers nearly all of it.
  const outcome = await checkpointAudit({ ctx, input: { minEvents: 1 } });
  if ('refused' in outcome) return { refused: `the audit log does not verify: ${outcome.refused}` };

  const partial = join(dirname(target), `.${randomBytes(6).toString('hex')}.countersign-backup.partial`);
  // Created empty with 0600 first: VACUUM INTO fills an empty file and keeps its mode.
  try {
    await (await open(partial, 'wx', 0o600)).close();
  } catch (error) {
    return { cannotCreate: `cannot create ${target}: ${reasonOf(error, dirname(target))}` };
  }
  try {
    await database.client.execute({ sql: 'VACUUM INTO ?', args: [partial] });
    const verification = await verifyCopy(partial, ctx, outcome.checkpoint);
    if (!verification.ok) {
      return {
        refused: `the copy does not verify at event ${verification.firstBadSeq}: ${verification.problem}`,
      };
    }
    const linked = await link(partial, target).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    if (!linked)
      return { cannotCreate: `${target} appeared while the copy was made; choose a new file name` };
    return { file: target, bytes: (await stat(target)).size, verification, checkpoint: outcome.checkpoint };
  } finally {
    await rm(partial, { force: true });
  }
}

async function verifyCopy(path: string, ctx: Ctx, checkpoint: AuditCheckpoint): Promise<AuditVerification> {
  const client = createClient({ url: `file:${path}` });
  try {
    // Read-only: checking a copy must never change it.
    await client.execute('PRAGMA query_only = ON');
    const integrity = await client.execute('PRAGMA integrity_check');
    const first = integrity.rows[0]?.[0];
    if (first !== 'ok') {
      return {
        ok: false,
        events: 0,
        head: null,
        firstBadSeq: 0,
        problem: `SQLite integrity: ${String(first)}`,
      };
    }
    return await verifyAudit(drizzle(client, { schema }), {
      key: checkpointKeyOf(ctx.core.secret),
      anchor: checkpoint,
    });
  } finally {
    client.close();
  }
}

/** Why a new file cannot go at `target`, in words an operator acts on; undefined when it can. */
async function destinationProblem(target: string): Promise<string | undefined> {
  const existing = await stat(target).catch(() => undefined);
  if (existing) return `${target} exists already; choose a new file name`;
  const folder = dirname(target);
  let info: Stats;
  try {
    info = await stat(folder);
  } catch (error) {
    return `cannot create ${target}: ${reasonOf(error, folder)}`;
  }
  return info.isDirectory() ? undefined : `cannot create ${target}: ${folder} is not a folder`;
}

function reasonOf(error: unknown, folder: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `the folder ${folder} does not exist (create it first)`;
  if (code === 'ENOTDIR') return `a part of ${folder} is not a folder`;
  if (code === 'EACCES' || code === 'EPERM') return `no permission to write in ${folder}`;
  if (code === 'EROFS') return `${folder} is on a read-only file system`;
  if (code === 'ENOSPC') return `no space left in ${folder}`;
  return error instanceof Error ? error.message : String(error);
}
