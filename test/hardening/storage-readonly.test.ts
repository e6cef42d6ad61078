import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectError, startTestServer } from '../../server/test/harness';
import { CLI, ROOT, tempDir } from '../e2e/processes';

// What a server meets when its storage stops taking writes. A chmod under a running server changes
// nothing (its open descriptors stay writable), so "read-only" is met at a (re)start: a restored file
// left 0400, a volume mounted read-only. A full disk is met mid-run.

/** root ignores file modes: the server then runs as `nobody`, as a service account would. */
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

function serve(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      ...asUser,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    // Fail closed means it stops: one that is still up after 15 s is the defect this test is about.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('storage that cannot take writes', () => {
  it('a read-only database file: serve refuses to start, naming the file and why, no stack trace', async () => {
    const made = await startTestServer();
    const agent = await made.agentKey('deployer', 'erin@example.com');
    expect(
      (await made.call('POST', '/v1/actions', { key: agent, body: { action: 'deploy.web' } })).status,
    ).toBe(201);
    await made.stop({ keepDir: true });
    const { dir, dbFile, policyFile } = made;
    try {
      if (asUser) {
        await chown(dir, asUser.uid, asUser.gid);
        for (const name of await readdir(dir)) await chown(join(dir, name), asUser.uid, asUser.gid);
      }
      for (const name of await readdir(dir))
        if (name.startsWith('countersign.db')) await chmod(join(dir, name), 0o400);

      const run = await serve({ COUNTERSIGN_DB_URL: `file:${dbFile}`, COUNTERSIGN_POLICY: policyFile });
      expect(run.stdout, run.stderr).not.toContain('listening on');
      expect(run.code, run.stderr).toBe(78);
      expect(run.stderr).toContain(dbFile);
      expect(run.stderr).toMatch(/cannot be written/);
      expect(run.stderr).toMatch(/read-only/);
      expect(run.stderr).not.toMatch(/\n\s+at |unexpected error/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a read-only data directory: serve stops with one line naming it, never half-started', async () => {
    const made = await startTestServer();
    await made.stop({ keepDir: true });
    const { dir, dbFile, policyFile } = made;
    try {
      if (asUser) {
        await chown(dir, asUser.uid, asUser.gid);
        for (const name of await readdir(dir)) await chown(join(dir, name), asUser.uid, asUser.gid);
      }
      await chmod(dir, 0o500);
      const run = await serve({ COUNTERSIGN_DB_URL: `file:${dbFile}`, COUNTERSIGN_POLICY: policyFile });
      // It used to print "listening", fail on its pid file ("unexpected error: EACCES") and stay up.
      expect(run.code, run.stderr).toBe(78);
      expect(run.stderr).toContain(join(dir, 'countersign.pid'));
      expect(run.stderr).not.toMatch(/\n\s+at |unexpected error/);
    } finally {
      await chmod(dir, 0o700);
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  // Filling a real disk is out of the question; a small tmpfs is one, and mounting it needs privilege.
  const canMount = (() => {
    const at = mkdtempSync(join(tmpdir(), 'countersign-mount-probe-'));
    const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', at]).status === 0;
    if (ok) spawnSync('umount', [at]);
    rmSync(at, { recursive: true, force: true });
    return ok;
  })();
  it.skipIf(!canMount)(
    'a disk that fills mid-run: 503 unavailable with Retry-After, unready; recovers once space is freed',
    async () => {
      const tmp = await tempDir();
      const mnt = join(tmp.dir, 'disk');
      await mkdir(mnt);
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]);
      if (mounted.status !== 0) throw new Error(`mount: ${mounted.stderr}`);
      try {
        const t = await startTestServer({ dir: mnt });
        try {
          const agent = await t.agentKey('deployer', 'erin@example.com');
          expect(
            (await t.call('POST', '/v1/actions', { key: agent, body: { action: 'deploy.web' } })).status,
          ).toBe(201);
          // Everything left on the disk goes to one file, as another process's logs would take it.
          const filler = join(mnt, 'filler');
          spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k']);
          const body = { action: 'deploy.web', justification: 'x'.repeat(4000) };
          let refused = await t.call('POST', '/v1/actions', { key: agent, body });
          // The WAL may hold a page or two of slack: a few writes more and it is full.
          for (let i = 0; i < 20 && refused.status === 201; i++)
            refused = await t.call('POST', '/v1/actions', { key: agent, body });
          expectError(refused, 503, 'unavailable', 'a write on a full disk');
          expect(refused.headers.get('retry-after')).toBe('5');
          expect(JSON.stringify(refused.body)).not.toMatch(/SQLITE|\bat /);
          expectError(await t.call('GET', '/readyz'), 503, 'unavailable');
          // Reads still answer: what was recorded stays visible.
          expect((await t.call('GET', '/v1/actions', { key: agent })).status).toBe(200);

          await rm(filler);
          expect((await t.call('GET', '/readyz')).status).toBe(200);
          expect((await t.call('POST', '/v1/actions', { key: agent, body })).status).toBe(201);
        } finally {
          await t.stop({ keepDir: true });
        }
      } finally {
        // Lazily: a descriptor the closed server's pool has not yet let go of must not fail the test.
        spawnSync('umount', ['-l', mnt]);
        await tmp.remove();
      }
    },
    60_000,
  );
});
