import { statSync } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageUnavailable } from './storage-errors';

type Identity = { dev: number; ino: number };

const identityOf = (path: string): Identity | undefined => {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
};

/**
 * Watches that the database file is still the one opened. A file deleted (or replaced) under a
 * running server keeps working through the open handle, so every write would be acknowledged and
 * then lost at the next start. Checked before each commit and on readiness: a stat, no I/O to the
 * database. Once lost it stays lost: only an operator can say which file is the right one.
 */
export class FileIdentity {
  readonly #path: string;
  readonly #opened: Identity | undefined;
  #lost: string | undefined;

  constructor(path: string) {
    this.#path = path;
    this.#opened = identityOf(path);
  }

  /** Throws StorageUnavailable when the file is gone or is another file now; `onLost` hears of it once. */
  check(onLost: (reason: string) => void): void {
    if (!this.#opened) return;
    if (!this.#lost) {
      const now = identityOf(this.#path);
      if (!now) this.#lost = `the database file ${this.#path} was deleted under the running server`;
      else if (now.dev !== this.#opened.dev || now.ino !== this.#opened.ino)
        this.#lost = `the database file ${this.#path} was replaced under the running server`;
      if (this.#lost) onLost(this.#lost);
    }
    if (this.#lost) throw new StorageUnavailable(`${this.#lost}; writes are refused until it is restored`);
  }
}

/** `db.sqlite.created`, beside the database file and its secret: proof a database existed here. */
export const markerOf = (path: string): string => join(dirname(path), `${basename(path)}.created`);

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * At start-up: refuses to create a fresh, empty database where one existed before (its marker is
 * there, the file is not), which would silently lose every request, key and audit event.
 */
export async function refuseVanishedDatabase(path: string): Promise<void> {
  if ((await exists(markerOf(path))) && !(await exists(path)))
    throw new Error(
      `${path} is missing, but a database existed there (${markerOf(path)}). Restore it from a backup, or delete the marker to start with an empty database.`,
    );
}

export async function markDatabaseCreated(path: string): Promise<void> {
  await writeFile(markerOf(path), `${new Date().toISOString()}\n`, { flag: 'wx', mode: 0o600 }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
}
