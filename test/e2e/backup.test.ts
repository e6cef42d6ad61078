import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AuditCheckpoint } from '@countersign/shared';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqld } from '../hardening/fixtures';
import { api, lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

const envFor = (name: string) => ({ COUNTERSIGN_DB_URL: `file:${join(dir.dir, name, 'countersign.db')}` });

describe('countersign backup: the restore drill', { timeout: 180_000 }, () => {
  let live: ServeProcess | undefined;
  let restored: ServeProcess | undefined;
  afterAll(async () => {
    await live?.stop();
    await restored?.stop();
  });

  it('copies a live database while it takes writes, verifies the copy, and a server starts on it', async () => {
    const env = envFor('live');
    live = await startServe(env);
    const server = live;
    const agent = lastLine(
      (await runCli(['keys', 'create', '--agent', 'billing-bot', '--owner', 'alice@example.com'], env))
        .stdout,
    );
    const auditor = lastLine(
      (await runCli(['keys', 'create', '--user', 'erin@example.com', '--scopes', 'audit:read'], env)).stdout,
    );
    // Writes keep arriving for as long as the backup runs.
    let writing = true;
    let acknowledged = 0;
    const load = (async () => {
      while (writing) {
        const reply = await api(server.url, 'POST', '/v1/actions', agent, { action: 'db.getStats' });
        if (reply.status === 201) acknowledged += 1;
      }
    })();
    while (acknowledged < 5) await new Promise((r) => setTimeout(r, 20));
    const file = join(dir.dir, 'copy', 'countersign.db');
    await mkdir(join(dir.dir, 'copy'));
    const before = acknowledged;
    const backup = await runCli(['backup', file], env);
    const during = acknowledged - before;
    writing = false;
    await load;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(
      /^backup ok: .*countersign\.db \(\d+ bytes, \d+ events, verified against the checkpoint at seq \d+\)/,
    );
    expect(during, 'writes acknowledged while the backup ran').toBeGreaterThan(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // The restore drill: the copy with the secret beside it, a server on it, its log verified.
    await copyFile(join(dir.dir, 'live', 'countersign.secret'), join(dir.dir, 'copy', 'countersign.secret'));
    const copyEnv = { COUNTERSIGN_DB_URL: `file:${file}` };
    restored = await startServe(copyEnv);
    const verify = await api<{ ok: boolean; events: number }>(
      restored.url,
      'GET',
      '/v1/audit/verify',
      auditor,
    );
    expect(verify.body).toMatchObject({ ok: true });
    // Every request acknowledged before the backup began is in the copy.
    const events = (
      await api<{ events: { type: string }[] }>(
        restored.url,
        'GET',
        '/v1/audit?type=action.submitted',
        auditor,
      )
    ).body.events;
    expect(events.length).toBeGreaterThanOrEqual(before);
    // The restored server takes writes, and its key still works.
    expect((await api(restored.url, 'POST', '/v1/actions', agent, { action: 'db.getStats' })).status).toBe(
      201,
    );
  });

  it('refuses to overwrite an existing file, and leaves it as it was', async () => {
    const env = envFor('nooverwrite');
    expect((await runCli(['init'], env)).code).toBe(0);
    expect((await runCli(['keys', 'create', '--agent', 'a', '--owner', 'a@example.com'], env)).code).toBe(0);
    const file = join(dir.dir, 'existing.db');
    await writeFile(file, 'keep me');
    const result = await runCli(['backup', file], env);
    // One plain line and sysexits' "cannot create" (73), not a request-error prefix.
    expect(result.code).toBe(73);
    expect(result.stderr).toBe(`backup: ${file} exists already; choose a new file name\n`);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('names the missing folder in one line, exit 73, and signs nothing for it', async () => {
    const env = envFor('nofolder');
    expect((await runCli(['init'], env)).code).toBe(0);
    expect((await runCli(['keys', 'create', '--agent', 'a', '--owner', 'a@example.com'], env)).code).toBe(0);
    const folder = join(dir.dir, 'nonexistent-dir');
    const checkpoints = async () =>
      ((await runCli(['audit', 'export'], env)).stdout.match(/"type":"audit\.checkpoint"/g) ?? []).length;
    const before = await checkpoints();
    const result = await runCli(['backup', join(folder, 'x.db')], env);
    expect(result.code).toBe(73);
    expect(result.stderr).toBe(
      `backup: cannot create ${join(folder, 'x.db')}: the folder ${folder} does not exist (create it first)\n`,
    );
    // A mistyped path costs no signed checkpoint.
    expect(await checkpoints()).toBe(before);
  });

  it('says when the folder is a file, exit 73', async () => {
    const env = envFor('nofolder');
    const notAFolder = join(dir.dir, 'plain-file');
    await writeFile(notAFolder, '');
    const result = await runCli(['backup', join(notAFolder, 'x.db')], env);
    expect(result.code).toBe(73);
    expect(result.stderr).toBe(
      `backup: cannot create ${join(notAFolder, 'x.db')}: ${notAFolder} is not a folder\n`,
    );
  });

  it('refuses to back up a database whose audit log does not verify, writing nothing', async () => {
    const env = envFor('tampered');
    expect((await runCli(['init'], env)).code).toBe(0);
    expect((await runCli(['keys', 'create', '--agent', 'a', '--owner', 'a@example.com'], env)).code).toBe(0);
    const db = createClient({ url: env.COUNTERSIGN_DB_URL });
    await db.executeMultiple(
      "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'system:nobody' WHERE seq = 2;",
    );
    db.close();
    const file = join(dir.dir, 'tampered-copy.db');
    const result = await runCli(['backup', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/backup failed, nothing written: the audit log does not verify: .*event 2/);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });
});

describe('countersign backup on a libSQL server', { timeout: 180_000 }, () => {
  it('refuses, saying what to do instead, and writes nothing', async () => {
    const sqld = await startSqld(dir.dir);
    try {
      const env = { COUNTERSIGN_DB_URL: sqld.url, COUNTERSIGN_SECRET: 'x'.repeat(40) };
      const file = join(dir.dir, 'from-sqld.db');
      const result = await runCli(['backup', file], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /names a libSQL server; `countersign backup` copies a local file database only/,
      );
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
    } finally {
      await sqld.stop();
    }
  });
});

describe('audit checkpoint and verify --against', { timeout: 180_000 }, () => {
  it('prints a signed checkpoint, verifies against it from a file and a URL, and names a cut after it', async () => {
    const env = envFor('anchored');
    expect((await runCli(['init'], env)).code).toBe(0);
    for (const name of ['one', 'two', 'three']) {
      expect((await runCli(['keys', 'create', '--agent', name, '--owner', 'a@example.com'], env)).code).toBe(
        0,
      );
    }
    const printed = await runCli(['audit', 'checkpoint'], env);
    expect(printed.code, printed.stderr).toBe(0);
    const checkpoint = JSON.parse(printed.stdout) as AuditCheckpoint;
    expect(checkpoint).toMatchObject({ v: 1, seq: 4, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const file = join(dir.dir, 'checkpoint.json');
    await writeFile(file, printed.stdout);
    expect((await runCli(['audit', 'verify', '--against', file], env)).code).toBe(0);

    const http = createServer((_req, res) => res.end(printed.stdout));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/checkpoint.json`;
    expect((await runCli(['audit', 'verify', '--against', url], env)).code).toBe(0);

    // An attacker with the file (not the secret) cuts the last two events: the chain alone still holds.
    const db = createClient({ url: env.COUNTERSIGN_DB_URL });
    await db.executeMultiple('DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq > 2;');
    db.close();
    expect((await runCli(['audit', 'verify'], env)).code).toBe(0);
    for (const against of [file, url]) {
      const cut = await runCli(['audit', 'verify', '--against', against], env);
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(/FAILED verification: truncated after seq 2/);
    }
    http.close();
    // A checkpoint file someone edited is refused as untrustworthy, not silently used.
    await writeFile(file, JSON.stringify({ ...checkpoint, seq: 2 }));
    const forged = await runCli(['audit', 'verify', '--against', file], env);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(
      /--against: this checkpoint cannot be trusted: its signature does not verify/,
    );
  });
});
