import { isStorageUnavailable } from '../../db/storage-errors';
import { StartupError } from '../../startup-error';
import type { Core } from '../core';
import { probeStorage } from './probe-storage';

/**
 * Refuses to start on a database that cannot take a write: a file restored read-only, a volume mounted
 * read-only, a full disk. Such a node would listen, then answer every decision 503 and log each
 * sweeper pass; an operator is better served by one line at start that names the file and the cause.
 * Reads-only commands (audit verify of a backup copy) never come here: only `serve` needs to write.
 */
export async function requireWritableStorage(core: Core, dbUrl: string): Promise<void> {
  try {
    await probeStorage(core);
  } catch (error) {
    if (!isStorageUnavailable(error)) throw error;
    const text = causeText(error);
    const where = dbUrl.replace(/^file:/, '').replace(/\?.*$/, '');
    const why = /readonly|read-only|EROFS|EACCES/i.test(text)
      ? 'it is read-only: the file, its -wal and -shm files and their directory must be writable by this user, on a filesystem mounted read-write'
      : /SQLITE_FULL|disk is full|ENOSPC/i.test(text)
        ? 'the disk is full: free some space'
        : text;
    throw new StartupError(`${where}: the database cannot be written; ${why}`);
  }
}

/** The innermost message: the driver's own words, without the query drizzle wraps around them. */
function causeText(error: unknown): string {
  let text = '';
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth++) {
    text = `${'code' in e && typeof e.code === 'string' ? `${e.code} ` : ''}${e.message.split('\n')[0] ?? ''}`;
    e = e.cause;
  }
  return text;
}
