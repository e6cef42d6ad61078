// The CLI's admin verbs work on an install that exists: the database `serve` (or `init`) made and its
// secret. Run from the wrong directory they refuse instead of making a second, empty install; and a
// COUNTERSIGN_SECRET copied from countersign.secret means what the file means.
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CliResult, runCli, tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

/** `countersign ARGS…` started in `cwd`, as a person typing it in another directory would. */
function runIn(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const { COUNTERSIGN_DB_URL: _url, COUNTERSIGN_SECRET: _secret, ...inherited } = process.env;
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...inherited, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('admin verbs refuse a database that does not exist (EX_NOINPUT 66), creating nothing', () => {
  it.each([
    [['login', '--user', 'me@example.com']],
    [['keys', 'create', '--agent', 'bot', '--owner', 'o@example.com']],
    [['keys', 'list']],
    [['audit', 'verify']],
    [['audit', 'checkpoint']],
    [['backup', 'copy.db']],
    [['people', 'release-subject', 'me@example.com']],
  ])('%o from another directory with the default URL', async (args) => {
    const elsewhere = join(dir.dir, `elsewhere-${args[0]}-${args[1]}`);
    await mkdir(elsewhere);
    const result = await runIn(elsewhere, args);
    expect(result.code, result.stderr).toBe(66);
    expect(result.stderr.trim().split('\n')).toEqual([
      `no database at ${join(elsewhere, 'data', 'countersign.db')} (COUNTERSIGN_DB_URL=file:./data/countersign.db): ` +
        'run it where "countersign serve" runs, or set COUNTERSIGN_DB_URL=file:/path/to/countersign.db ' +
        '(only "countersign serve" and "countersign init" create one)',
    ]);
    expect(result.stdout).toBe('');
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('refuses a database whose secret is missing, naming where it looked', async () => {
    const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/nosecret/countersign.db` };
    expect((await runCli(['init'], env)).code).toBe(0);
    await rm(join(dir.dir, 'nosecret', 'countersign.secret'));
    const result = await runCli(['keys', 'list'], env);
    expect(result.code).toBe(66);
    expect(result.stderr.trim()).toBe(
      `no secret at ${join(dir.dir, 'nosecret', 'countersign.secret')} beside the database: restore the ` +
        "install's countersign.secret there, or set COUNTERSIGN_SECRET to the value it runs with",
    );
    expect(await readdir(join(dir.dir, 'nosecret'))).not.toContain('countersign.secret');
  });

  it('init makes the database and secret once; the verbs then work', async () => {
    const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/fresh/countersign.db` };
    const made = await runCli(['init'], env);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.trim()).toBe(`ready: ${env.COUNTERSIGN_DB_URL}`);
    const secret = await readFile(join(dir.dir, 'fresh', 'countersign.secret'), 'utf8');
    expect((await runCli(['init'], env)).code).toBe(0);
    expect(await readFile(join(dir.dir, 'fresh', 'countersign.secret'), 'utf8')).toBe(secret);
    const verify = await runCli(['audit', 'verify'], env);
    expect(verify.code, verify.stderr).toBe(0);
  });
});

describe('COUNTERSIGN_SECRET set to the contents of countersign.secret', () => {
  it('verifies a log that was made with the file, with the file gone (a restore from backup)', async () => {
    const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/from-file/countersign.db` };
    expect((await runCli(['init'], env)).code).toBe(0);
    expect((await runCli(['keys', 'create', '--agent', 'bot', '--owner', 'o@example.com'], env)).code).toBe(
      0,
    );
    const file = join(dir.dir, 'from-file', 'countersign.secret');
    const value = (await readFile(file, 'utf8')).trim();
    await rm(file);
    const verify = await runCli(['audit', 'verify'], { ...env, COUNTERSIGN_SECRET: value });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^audit log ok: /);
    // Read as the file is, nothing new was made beside the database.
    expect(await readdir(join(dir.dir, 'from-file'))).not.toContain('countersign.secret');
  });

  it('a backup restored elsewhere verifies with it, as backup --help says (the trial)', async () => {
    const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/live/countersign.db` };
    expect((await runCli(['init'], env)).code).toBe(0);
    const copy = join(dir.dir, 'restored', 'countersign.db');
    await mkdir(join(dir.dir, 'restored'));
    const backup = await runCli(['backup', copy], env);
    expect(backup.code, backup.stderr).toBe(0);
    const value = (await readFile(join(dir.dir, 'live', 'countersign.secret'), 'utf8')).trim();
    const verify = await runCli(['audit', 'verify'], {
      COUNTERSIGN_DB_URL: `file:${copy}`,
      COUNTERSIGN_SECRET: value,
    });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    // The help says how, in words a person can follow.
    expect((await runCli(['backup', '--help'])).stdout).toContain(
      'COUNTERSIGN_SECRET=$(cat countersign.secret)',
    );
  });

  it('an install that set a 64-hex value as text keeps reading it as text', async () => {
    const env = {
      COUNTERSIGN_DB_URL: `file:${dir.dir}/as-text/countersign.db`,
      COUNTERSIGN_SECRET: 'ab'.repeat(32),
    };
    expect((await runCli(['init'], env)).code).toBe(0);
    const verify = await runCli(['audit', 'verify'], env);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
  });
});
