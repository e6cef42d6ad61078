import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI, as `npm start` and `pnpm countersign` run it (test/build-cli.ts builds it first). */
export const CLI = join(ROOT, 'server', 'dist', 'cli', 'main.js');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `countersign ARGS…` as a real child process, exactly as an operator would. */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
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
    child.stdin.end(input);
  });
}

export const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';

export type ServeProcess = { url: string; child: ChildProcess; stderr: () => string; stop(): Promise<void> };

/** Starts `countersign serve` on a random port and resolves once it says where it listens. */
export function startServe(env: Record<string, string>): Promise<ServeProcess> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) {
        done({
          url,
          child,
          stderr: () => stderr,
          stop: () =>
            new Promise((stopped) => {
              if (child.exitCode !== null) return stopped();
              child.once('close', () => stopped());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('close', (code) => fail(new Error(`serve exited ${code} before listening:\n${stderr}`)));
  });
}

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-e2e-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function api<T = unknown>(
  url: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
