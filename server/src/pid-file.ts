import { readFileSync, rmSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { makeDataFolderPrivate } from './db/private-files';
import { filePathOf } from './secret';
import { StartupError } from './startup-error';

export type PidFile = { path: string; remove(): void };

/**
 * `countersign.pid` beside a file database: the process to signal (SIGHUP reloads the policy). Under
 * `npm start` the pid npm shows is npm's, and npm does not pass SIGHUP on (it dies of it, orphaning
 * the server), so operators need the server's own pid. No file for a remote database: there is no
 * obvious "beside", several nodes serving one is the point there, and process managers (systemd,
 * containers) signal the server directly.
 *
 * A file database is served by one process, so the file is also the claim: created exclusively,
 * and a second `serve` that finds it naming a live server is refused before it opens anything (it
 * used to start, rewrite the file, and on its stop delete it under the first). A file whose process
 * is gone (a kill -9, a crash, a reboot) is taken over.
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
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return { path, remove: () => removeIfOurs(path) };
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') throw cannotWrite(e);
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    const pid = Number(text?.trim());
    if (Number.isInteger(pid) && pid > 0 && isServer(pid)) {
      throw new StartupError(
        `${path}: countersign serve (pid ${pid}) is already serving ${database}, and one process serves a database file: stop it first, or send it SIGHUP to reload its policy`,
      );
    }
    // Three rounds cover a stale file removed and a server stopping meanwhile; more is a fight.
    if (attempt === 3)
      throw new StartupError(`${path}: keeps reappearing; is another countersign serve starting?`);
    // Undefined: gone since we tried (its server just stopped); try again.
    if (text === undefined) continue;
    log.warn(
      { pidFile: path },
      `replacing a stale pid file: pid ${text.trim()} is not a running countersign serve`,
    );
    // Only the stale file we judged: should another server have written its own since, it stays and
    // the next round finds it. (Two starts racing over one stale file in the same instant can both
    // pass this check; the window is one read and one unlink wide.)
    if ((await readFile(path, 'utf8').catch(() => undefined)) === text)
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw cannotWrite(error);
      });
  }
}

/**
 * Whether `pid` is a Countersign server: alive (signal 0; EPERM is a live process of another user)
 * and, where /proc says, a node running `serve`. A pid file outlives a reboot or a container's
 * restart, and its number may by then be some other process (npm, a shell): that one is not ours.
 */
function isServer(pid: number): boolean {
  if (pid === process.pid) return false; // our own number from an earlier life of this container
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true; // no /proc (macOS) or not readable: alive is all we know, so it counts (fail closed)
  }
  return basename(argv[0] ?? '').startsWith('node') && argv.includes('serve');
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
