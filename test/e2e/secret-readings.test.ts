// countersign.secret holds 64 hex digits meaning 32 bytes; COUNTERSIGN_SECRET is text. The same value
// must give the same key whichever way an install was made, without changing the key of an install
// that set a hex-looking value as text.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKeyOf } from '../../server/src/audit/checkpoint-key';
import { parseEnv } from '../../server/src/env';
import { createLogger } from '../../server/src/logger';
import { openCore } from '../../server/src/open-core';
import { tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

/** The secret the core runs with on this database, for this COUNTERSIGN_SECRET (or none). */
async function secretOf(name: string, secret?: string): Promise<Buffer> {
  const env = parseEnv({
    COUNTERSIGN_DB_URL: `file:${join(dir.dir, name, 'countersign.db')}`,
    ...(secret !== undefined && { COUNTERSIGN_SECRET: secret }),
    LOG_LEVEL: 'silent',
  });
  const core = await openCore(env, createLogger('silent'), { policy: 'inert', consolePack: false });
  core.database.close();
  return core.secret;
}

describe('COUNTERSIGN_SECRET and countersign.secret', () => {
  it('the file and the env var holding its contents give the same secret and checkpoint key', async () => {
    const fromFile = await secretOf('file-made');
    const file = join(dir.dir, 'file-made', 'countersign.secret');
    const value = (await readFile(file, 'utf8')).trim();
    expect(fromFile).toEqual(Buffer.from(value, 'hex'));
    await rm(file);
    const fromEnv = await secretOf('file-made', value);
    expect(fromEnv).toEqual(fromFile);
    expect(checkpointKeyOf(fromEnv).keyId).toBe(checkpointKeyOf(fromFile).keyId);
    // Upper-case hex digits are the same bytes.
    expect(await secretOf('file-made', value.toUpperCase())).toEqual(fromFile);
  });

  it('a 64-hex value an install was made with as text stays text', async () => {
    const value = 'c0ffee'.repeat(10).concat('abcd');
    expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(await secretOf('text-made', value)).toEqual(Buffer.from(value, 'utf8'));
    expect(await secretOf('text-made', value)).toEqual(Buffer.from(value, 'utf8'));
  });

  it('any other value is text, as before', async () => {
    const value = 'a-shared-secret-of-at-least-32-characters';
    expect(await secretOf('other', value)).toEqual(Buffer.from(value, 'utf8'));
  });
});
