import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The local database holds the audit log and key hashes, so it is as private as the secret beside it:
 * a data folder made here is 0700. An existing folder (the working directory, say) is the operator's.
 */
export async function makeDataFolderPrivate(path: string): Promise<void> {
  const created = await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // mkdir's mode passes through the umask; say it once more so 0700 is what is on disk.
  if (created !== undefined) await chmod(dirname(path), 0o700);
}

/**
 * Once libSQL has opened (and so created) the database, which it does with the process umask (0644
 * by default): the file and its -wal and -shm are made 0600. SQLite gives the -wal and -shm it makes
 * later the database file's own mode, and a database left readable by an older version is tightened
 * on its next start. Not created here: a missing file is openDatabase's to judge (a vanished database).
 */
export async function makeDatabaseFilesPrivate(path: string): Promise<void> {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    await chmod(file, 0o600).catch((error: NodeJS.ErrnoException) => {
      // Absent (no WAL yet) is fine; so is a file another user owns, which we cannot change.
      if (error.code !== 'ENOENT' && error.code !== 'EPERM') throw error;
    });
  }
}
