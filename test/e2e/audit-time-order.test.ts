// The CLI's admin verbs append from their own process, onto a log a server may be appending to at the
// same time: they go through the same append, so their events never go back before the head either.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../server/src/audit/emit';
import { openDatabase } from '../../server/src/db/client';
import { runCli, tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

describe('audit times from the CLI, another process', () => {
  it('keys create and audit checkpoint after a later head take its time, and the log verifies', async () => {
    const dbUrl = `file:${join(dir.dir, 'countersign.db')}`;
    const env = { COUNTERSIGN_DB_URL: dbUrl };
    const init = await runCli(['init'], env);
    expect(init.code, init.stderr).toBe(0);

    // A head ahead of this process's clock: what a server whose clock runs a little ahead, or an event
    // timed when its work began, leaves in the file.
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const database = await openDatabase(dbUrl);
    await appendAudit(database.db, Date.parse(ahead), [{ type: 'key.revoked', actor: 'system:test' }]);
    database.close();

    const created = await runCli(['keys', 'create', '--user', 'dan@example.com'], env);
    expect(created.code, created.stderr).toBe(0);
    const checkpoint = await runCli(['audit', 'checkpoint'], env);
    expect(checkpoint.code, checkpoint.stderr).toBe(0);

    const reader = await openDatabase(dbUrl);
    const rows = await reader.client.execute('SELECT seq, type, at FROM audit_events ORDER BY seq');
    reader.close();
    const tail = rows.rows.slice(-3).map((r) => [r[1], r[2]]);
    expect(tail).toEqual([
      ['key.revoked', ahead],
      ['key.created', ahead],
      ['audit.checkpoint', ahead],
    ]);
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });
});
