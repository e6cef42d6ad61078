import type { ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

/** Sends `first`, then SIGINT every few milliseconds until the process is gone: some land mid-shutdown. */
function signalUntilExit(child: ChildProcess, first: NodeJS.Signals) {
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  child.kill(first);
  const again = setInterval(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  }, 2);
  return exited.finally(() => clearInterval(again));
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('serve stops cleanly', () => {
  // Under `npm start`, Ctrl-C reaches the server twice: from the terminal and forwarded by npm.
  it('a second SIGINT during shutdown keeps shutting down: clean exit, logged once, no pid file left', async () => {
    const pidFile = join(dir.dir, 'countersign.pid');
    const server = await startServe({ COUNTERSIGN_DB_URL: `file:${join(dir.dir, 'countersign.db')}` });
    expect(await exists(pidFile)).toBe(true);
    expect(await signalUntilExit(server.child, 'SIGINT')).toEqual({ code: 0, signal: null });
    const log = server.stderr();
    expect(log.match(/"msg":"shutting down"/g)).toHaveLength(1);
    expect(log).toMatch(/"msg":"stopped"/);
    expect(await exists(pidFile)).toBe(false);
  });

  it('SIGTERM then SIGINT: the same clean stop', async () => {
    const pidFile = join(dir.dir, 'countersign.pid');
    const server = await startServe({ COUNTERSIGN_DB_URL: `file:${join(dir.dir, 'countersign.db')}` });
    expect(await signalUntilExit(server.child, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/"msg":"stopped"/);
    expect(await exists(pidFile)).toBe(false);
  });
});
