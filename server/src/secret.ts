import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The local file path behind a `file:` URL. */
export const filePathOf = (url: string): string => url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');

/**
 * The server secret that grant tokens are derived from. From COUNTERSIGN_SECRET when set; for a local
 * database file, otherwise kept in a 0600 file beside it (made on first start), so a copy of the
 * database alone does not let anyone mint grants. Nodes sharing a libSQL server must share the secret.
 */
export async function resolveSecret(configured: string | undefined, dbUrl: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'utf8');
  if (!dbUrl.startsWith('file:')) {
    throw new Error(
      'COUNTERSIGN_SECRET: required when COUNTERSIGN_DB_URL points at a libSQL server (every node must share it)',
    );
  }
  const file = join(dirname(filePathOf(dbUrl)), 'countersign.secret');
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: unknown) => {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    },
  );
  await chmod(file, 0o600);
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
}
