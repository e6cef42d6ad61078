import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ActionRequest } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, lastLine, ROOT, runCli, tempDir } from './processes';

const run = promisify(execFile);

type NpmStart = { url: string; npm: ChildProcess; output: () => string };

/** `npm start`, for real, as the README says to run it, with the environment pointing at temp files. */
function npmStart(env: Record<string, string>): Promise<NpmStart> {
  return new Promise((done, fail) => {
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, PORT: '0', ...env } });
    let output = '';
    const take = (d: Buffer) => {
      output += d;
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) done({ url, npm, output: () => output });
    };
    npm.stdout.on('data', take);
    npm.stderr.on('data', take);
    npm.once('close', (code) => fail(new Error(`npm start exited ${code} before listening:\n${output}`)));
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

// Driven the way the README says: `npm start`, then `kill -HUP $(cat <data dir>/countersign.pid)`.
// npm itself does not pass SIGHUP on (it dies of it and the server is orphaned), hence the pid file.
describe('SIGHUP reloads the policy under npm start', { timeout: 120_000 }, () => {
  let dir: { dir: string; remove(): Promise<void> };
  let server: NpmStart;
  let env: Record<string, string>;
  let policy: string;
  let pidFile: string;

  beforeAll(async () => {
    dir = await tempDir();
    policy = join(dir.dir, 'policy.yaml');
    pidFile = join(dir.dir, 'countersign.pid');
    await copyFile(join(ROOT, 'countersign.policy.yaml'), policy);
    env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db`, COUNTERSIGN_POLICY: policy };
    server = await npmStart(env);
  }, 120_000);
  afterAll(async () => {
    if (server?.npm.exitCode === null) server.npm.kill('SIGKILL');
    await dir?.remove();
  });
  const hup = () => run('sh', ['-c', `kill -HUP $(cat '${pidFile}')`]);

  it('keeps the last good policy when the new file is broken, then takes the fixed one', async () => {
    const agent = lastLine(
      (await runCli(['keys', 'create', '--agent', 'ops-bot', '--owner', 'bob@example.com'], env)).stdout,
    );
    const auditor = lastLine(
      (await runCli(['keys', 'create', '--user', 'erin@example.com', '--scopes', 'audit:read'], env)).stdout,
    );
    const exportRule = async () =>
      (
        await api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
          action: 'db.export',
          resource: 'customers/x',
        })
      ).body.rule.name;
    expect(await exportRule()).toBe('customer-export');

    await writeFile(policy, 'version: 1\nrules:\n  - name: broken\n    effect: maybe\n');
    await hup();
    await waitFor(async () => {
      const events = await api<{ events: unknown[] }>(
        server.url,
        'GET',
        '/v1/audit?type=policy.rejected',
        auditor,
      );
      return events.body.events.length === 1;
    }, 'the rejected reload to be audited');
    expect(server.output()).toMatch(/policy reload refused/);
    expect(await exportRule()).toBe('customer-export');

    await writeFile(
      policy,
      'version: 1\nrules:\n  - name: everything-allowed\n    match: {}\n    effect: allow\n',
    );
    await hup();
    await waitFor(
      async () => (await exportRule()) === 'everything-allowed',
      'the fixed policy to take effect',
    );
    const loaded = await api<{ events: Array<{ data: { version: string } }> }>(
      server.url,
      'GET',
      '/v1/audit?type=policy.loaded',
      auditor,
    );
    expect(loaded.body.events).toHaveLength(2);
  });

  it('the pid file names the server, npm stays up across reloads, and stopping npm leaves no orphan', async () => {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(pid).not.toBe(server.npm.pid);
    expect(alive(pid)).toBe(true);
    expect(server.npm.exitCode).toBeNull(); // the HUPs went to the server, not to npm
    const closed = new Promise((r) => server.npm.once('close', r));
    server.npm.kill('SIGTERM'); // what a process manager or `kill <npm pid>` sends; npm passes it on
    await closed;
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    await expect(readFile(pidFile, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
