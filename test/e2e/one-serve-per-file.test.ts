// A file database is served by one process, and its countersign.pid names that process: a second
// `serve` on the same file is refused at start (it used to start, take over the pid file, and on its
// stop delete it while the first still ran, so `kill -HUP $(cat countersign.pid)` failed). Remote
// databases are not concerned: libsql-server.test.ts runs two nodes on one.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { copyFile, link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ActionRequest } from '@countersign/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, lastLine, ROOT, runCli, startServe, tempDir } from './processes';

const run = promisify(execFile);

let dir: { dir: string; remove(): Promise<void> };
let env: Record<string, string>;
let pidFile: string;
let policy: string;
const stops: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = await tempDir();
  policy = join(dir.dir, 'policy.yaml');
  pidFile = join(dir.dir, 'countersign.pid');
  await copyFile(join(ROOT, 'countersign.policy.yaml'), policy);
  env = { COUNTERSIGN_DB_URL: `file:${join(dir.dir, 'countersign.db')}`, COUNTERSIGN_POLICY: policy };
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await dir.remove();
});

const pidIn = async (): Promise<number> => Number((await readFile(pidFile, 'utf8')).trim());

/** A second `serve` of `serveEnv`: what it said on its way out; one still up after 15 s is the defect. */
const secondServe = (serveEnv: Record<string, string>) =>
  Promise.race([
    runCli(['serve', '--port', '0'], serveEnv),
    new Promise<never>((_, fail) =>
      setTimeout(() => fail(new Error('the second serve did not exit: it started')), 15_000).unref(),
    ),
  ]);

/** A pid that was a process a moment ago and is none now. */
const deadPid = (): number => {
  const gone = spawnSync(process.execPath, ['-e', '']);
  if (gone.pid === undefined) throw new Error('no child started');
  return gone.pid;
};

/** A live process that is not a Countersign server (what a pid reused after a reboot names). */
const otherProcess = (): number => {
  const sleeper = spawn('sleep', ['60']);
  stops.push(() => {
    sleeper.kill('SIGKILL');
  });
  if (sleeper.pid === undefined) throw new Error('no sleep started');
  return sleeper.pid;
};

describe('one serve per database file', { timeout: 90_000 }, () => {
  it('a second serve is refused (exit 78, naming the pid and the file); the first keeps serving, its pid file and SIGHUP', async () => {
    const first = await startServe(env);
    stops.push(() => first.stop());
    expect(await pidIn()).toBe(first.child.pid);

    const second = await secondServe(env);
    expect(second.code, second.stderr).toBe(78);
    expect(second.stdout).not.toContain('listening on');
    expect(second.stderr).toContain(pidFile);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect(second.stderr).not.toMatch(/\n\s+at |unexpected error/);

    // The first still serves and still owns the pid file: the README's reload reaches it.
    expect(await pidIn()).toBe(first.child.pid);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const agent = lastLine(
      (await runCli(['keys', 'create', '--agent', 'ops-bot', '--owner', 'bob@example.com'], env)).stdout,
    );
    const ruleOf = async () =>
      (
        await api<ActionRequest>(first.url, 'POST', '/v1/actions', agent, {
          action: 'db.export',
          resource: 'x',
        })
      ).body.rule.name;
    await writeFile(
      policy,
      'version: 1\nrules:\n  - name: everything-allowed\n    match: {}\n    effect: allow\n',
    );
    await run('sh', ['-c', `kill -HUP $(cat '${pidFile}')`]);
    let rule = await ruleOf();
    for (let i = 0; i < 100 && rule !== 'everything-allowed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rule = await ruleOf();
    }
    expect(rule).toBe('everything-allowed');

    await first.stop();
    expect(first.child.exitCode).toBe(0);
    await expect(readFile(pidFile, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('a second serve is refused even when the pid file names nothing it can see (servers in two containers, each pid 1)', async () => {
    const first = await startServe(env);
    stops.push(() => first.stop());
    // What a second container sees: a pid that is not alive here (or its own pid 1).
    await writeFile(pidFile, `${deadPid()}\n`);
    const second = await secondServe(env);
    expect(second.code, second.stderr).toBe(78);
    expect(second.stdout).not.toContain('listening on');
    expect(second.stderr).toContain('countersign.serve.lock');
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  });

  it.each(['symlink', 'hard link'] as const)(
    'a second serve reaching the same file through a %s in another folder is refused',
    async (kind) => {
      const first = await startServe(env);
      stops.push(() => first.stop());
      const elsewhere = join(dir.dir, 'elsewhere');
      await mkdir(elsewhere);
      const other = join(elsewhere, 'countersign.db');
      if (kind === 'symlink') await symlink(join(dir.dir, 'countersign.db'), other);
      else await link(join(dir.dir, 'countersign.db'), other);
      const second = await secondServe({ ...env, COUNTERSIGN_DB_URL: `file:${other}` });
      expect(second.code, second.stderr).toBe(78);
      expect(second.stdout).not.toContain('listening on');
      expect(second.stderr).toMatch(kind === 'symlink' ? /countersign\.serve\.lock/ : /countersign-serve-/);
    },
  );

  it('a stale pid file (its process gone, as after a kill -9) is taken over, said in one log line', async () => {
    const dead = deadPid();
    await writeFile(pidFile, `${dead}\n`);
    const server = await startServe(env);
    stops.push(() => server.stop());
    expect(await pidIn()).toBe(server.child.pid);
    const lines = server
      .stderr()
      .split('\n')
      .filter((line) => line.includes(`pid ${dead}`));
    expect(lines, server.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(/stale/);
  });

  it.skipIf(process.platform !== 'linux')(
    'a pid file naming a live process that is not a Countersign server (a reused pid) is taken over',
    async () => {
      await writeFile(pidFile, `${otherProcess()}\n`);
      const server = await startServe(env);
      stops.push(() => server.stop());
      expect(await pidIn()).toBe(server.child.pid);
    },
  );

  it('a SIGHUP sent once the pid file names a starting server does not kill it: it reloads once up', async () => {
    const starting = startServe(env);
    let listening = false;
    void starting.then(() => {
      listening = true;
    });
    let pid = 0;
    for (let i = 0; i < 1000 && !pid && !listening; i++) {
      pid = await pidIn().catch(() => 0);
      if (!pid) await new Promise((r) => setTimeout(r, 5));
    }
    const sentWhileStarting = !listening;
    process.kill(pid, 'SIGHUP');
    const server = await starting;
    stops.push(() => server.stop());
    expect(sentWhileStarting).toBe(true);
    for (let i = 0; i < 100 && !server.stderr().includes('"msg":"policy reloaded"'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.stderr()).toContain('"msg":"policy reloaded"');
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('on its way out a server leaves a pid file that no longer names it', async () => {
    const server = await startServe(env);
    const other = otherProcess();
    await writeFile(pidFile, `${other}\n`); // an operator's hand, or another process's file
    await server.stop();
    expect(await pidIn()).toBe(other);
  });
});
