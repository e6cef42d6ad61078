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
  const secret = randomBytes(SECRET_BYTES);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    (error: unknown) => {
      // It exists already (an earlier start, or another process starting now): use that one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    },
  );
  return readSecretFile(file);
}

const SECRET_BYTES = 32;

/**
 * Reads the secret file, refusing anything but 32 bytes of hex: an empty or damaged file would make
 * grant tokens computable from their ids. A second process starting at the same moment may find the
 * file created but not yet written, so an empty read is retried briefly.
 */
async function readSecretFile(file: string): Promise<Buffer> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = (await readFile(file, 'utf8')).trim();
    const secret = Buffer.from(text, 'hex');
    if (/^[0-9a-f]{64}$/i.test(text) && secret.length === SECRET_BYTES) {
      await chmod(file, 0o600);
      return secret;
    }
    if (text !== '') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`COUNTERSIGN_SECRET: ${file} is not 64 hex digits; restore it, or set COUNTERSIGN_SECRET`);
}
