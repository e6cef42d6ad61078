import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, tempDir } from './processes';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

let dir: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

describe('the data folder and the database are private, like the secret beside them', () => {
  it('makes a new data folder 0700 and the database, its -wal and -shm and the secret 0600', async () => {
    const data = join(dir.dir, 'data');
    const db = join(data, 'countersign.db');
    const server = await startServe({ COUNTERSIGN_DB_URL: `file:${db}` });
    try {
      expect(await modeOf(data)).toBe(0o700);
      // While the server runs, SQLite's -wal and -shm are there beside the database.
      for (const file of [db, `${db}-wal`, `${db}-shm`, join(data, 'countersign.secret')])
        expect([file, await modeOf(file)]).toEqual([file, 0o600]);
    } finally {
      await server.stop();
    }
  });

  it('tightens a database an older version left world-readable', async () => {
    const db = join(dir.dir, 'older.db');
    const env = { COUNTERSIGN_DB_URL: `file:${db}` };
    // A folder the operator already had is theirs: it is left as it was.
    await chmod(dir.dir, 0o755);
    expect((await runCli(['init'], env)).code).toBe(0);
    expect((await runCli(['keys', 'list'], env)).code).toBe(0);
    await chmod(db, 0o644);
    expect((await runCli(['keys', 'list'], env)).code).toBe(0);
    expect(await modeOf(db)).toBe(0o600);
    expect(await modeOf(dir.dir)).toBe(0o755);
  });
});
