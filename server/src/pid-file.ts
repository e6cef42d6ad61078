import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { filePathOf } from './secret';

/**
 * `countersign.pid` beside a file database: the process to signal (SIGHUP reloads the policy). Under
 * `npm start` the pid npm shows is npm's, and npm does not pass SIGHUP on (it dies of it, orphaning
 * the server), so operators need the server's own pid. No file for a remote database: there is no
 * obvious "beside" and process managers (systemd, containers) signal the server directly.
 */
export async function writePidFile(dbUrl: string): Promise<{ path: string; remove(): void } | undefined> {
  if (!dbUrl.startsWith('file:')) return undefined;
  const path = join(dirname(filePathOf(dbUrl)), 'countersign.pid');
  await writeFile(path, `${process.pid}\n`);
  return {
    path,
    // Synchronous: it runs on the way out, where a pending promise would never settle.
    remove: () => rmSync(path, { force: true }),
  };
}
