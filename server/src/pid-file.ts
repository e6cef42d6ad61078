import { closeSync, existsSync, openSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Sqlite from 'libsql';
import type { Logger } from 'pino';
import { makeDataFolderPrivate } from './db/private-files';
import { filePathOf } from './secret';
import { StartupError } from './startup-error';

export type PidFile = { path: string; remove(): void };

// The serve lock of this process, held for its whole life (a reference here, so no GC closes it).
const held: Sqlite.Database[] = [];

/**
 * An exclusive lock on `countersign.serve.lock` beside the database, held until this process ends
 * (the kernel drops it then, kill -9 included): a SQLite file in exclusive locking mode with a
 * transaction that never ends, i.e. an fcntl lock, which holds between containers sharing the volume
 * (where each server may be pid 1, so no pid says who is alive) and has no stale state to judge.
 * Undefined when another process holds it.
 */
function takeServeLock(path: string): Sqlite.Database | undefined {
  const lock = new Sqlite(path, { timeout: 0 });
  try {
    lock.exec('PRAGMA locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    held.push(lock);
    return lock;
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return undefined;
    throw error;
  }
}

/**
 * `countersign.pid` beside a file database: the process to signal (SIGHUP reloads the policy). Under
 * `npm start` the pid npm shows is npm's, and npm does not pass SIGHUP on (it dies of it, orphaning
 * the server), so operators need the server's own pid. No file for a remote database: there is no
 * obvious "beside", several nodes serving one is the point there, and process managers (systemd,
 * containers) signal the server directly.
 *
 * A file database is served by one process: a second `serve` is refused before it opens anything
 * (it used to start, rewrite the file, and on its stop delete it under the first). The claim is an
 * OS lock (takeServeLock), not the pid file: a pid says nothing between containers that share the data
 * volume (each server may be pid 1 in its own), and a lock the kernel drops with its process leaves
 * nothing stale to judge. A pid file left by a process that is gone is simply replaced.
 */
export async function claimPidFile(dbUrl: string, log: Logger): Promise<PidFile | undefined> {
  if (!dbUrl.startsWith('file:')) return undefined;
  const database = filePathOf(dbUrl);
  const path = join(dirname(database), 'countersign.pid');
  const cannotWrite = (error: NodeJS.ErrnoException) =>
    new StartupError(
      `${path}: cannot be written (${error.code ?? error.message}); the data directory must be writable by this user`,
    );
  // The first start makes the data folder (0700) before anything else is written in it.
  await makeDataFolderPrivate(database).catch((error: NodeJS.ErrnoException) => {
    throw cannotWrite(error);
  });
  // The claim itself is the lock; the pid file only says whom to signal. The lock sits beside the
  // real file, so a symlink to the database elsewhere finds the same lock; a hard link (another
  // name, same file) is caught by a second lock named after the file's device and inode.
  const real = realFile(database);
  const lockPath = join(dirname(real), 'countersign.serve.lock');
  let refusedBy: string | undefined;
  try {
    if (takeServeLock(lockPath) === undefined) refusedBy = lockPath;
    else {
      // The file exists from here on (serve makes it anyway), so it has an inode to lock by.
      if (!existsSync(real)) closeSync(openSync(real, 'wx', 0o600));
      const { dev, ino } = statSync(real);
      const inodeLock = join(tmpdir(), `countersign-serve-${dev}-${ino}.lock`);
      if (takeServeLock(inodeLock) === undefined) refusedBy = inodeLock;
    }
  } catch (error) {
    throw cannotWrite(error as NodeJS.ErrnoException);
  }
  if (refusedBy !== undefined) {
    const named = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    const who =
      Number.isInteger(named) && named > 0 ? `countersign serve (pid ${named})` : 'another countersign serve';
    throw new StartupError(
      `${path}: ${who} is already serving ${database} (it holds ${refusedBy}), and one process serves a database file: stop it first, or send it SIGHUP to reload its policy`,
    );
  }
  await chmod(lockPath, 0o600).catch(() => undefined);
  // Holding the lock, no other serve of this file is alive: a pid file found here is stale (a kill -9,
  // a crash, a reboot, or a pid that now names some other process) and is replaced, said once.
  const previous = (await readFile(path, 'utf8').catch(() => undefined))?.trim();
  if (previous !== undefined && previous !== String(process.pid))
    log.warn(
      { pidFile: path },
      `replacing a stale pid file: pid ${previous} is not a running countersign serve`,
    );
  await writeFile(path, `${process.pid}\n`).catch((error: NodeJS.ErrnoException) => {
    throw cannotWrite(error);
  });
  return { path, remove: () => removeIfOurs(path) };
}

/** The database file with symlinks resolved (its folder's, on a first start when it is not there yet). */
function realFile(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

// Synchronous: it runs on the way out, where a pending promise would never settle. Only our own:
// a file that names another process (replaced by hand, or a server that took over) is left to it.
function removeIfOurs(path: string): void {
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === process.pid) rmSync(path, { force: true });
  } catch {
    // Already gone.
  }
}
