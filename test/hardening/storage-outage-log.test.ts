import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTAGE_SUMMARY_MS, PassFailures, storageFailureOf } from '@countersign/shared';
import { LibsqlError } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { review, startTestServer, submit } from '../../server/test/harness';
import { tempDir } from '../e2e/processes';
import { capturedLog, LEVEL, type LogLine } from './captured-log';

const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
};
const hasStack = (l: LogLine) => /\n\s+at /.test(JSON.stringify(l).replaceAll('\\n', '\n'));

// Filling a real disk is out of the question; a small tmpfs is one, and mounting it needs privilege.
const canMount = (() => {
  const at = mkdtempSync(join(tmpdir(), 'countersign-mount-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', at]).status === 0;
  if (ok) spawnSync('umount', [at]);
  rmSync(at, { recursive: true, force: true });
  return ok;
})();

describe('background loops on a disk that fills', () => {
  it.skipIf(!canMount)(
    'the sweeper and the webhook deliverer each say it once, without a stack, and say when they resumed',
    async () => {
      const tmp = await tempDir();
      const mnt = join(tmp.dir, 'disk');
      await mkdir(mnt);
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]);
      if (mounted.status !== 0) throw new Error(`mount: ${mounted.stderr}`);
      const { log, lines } = capturedLog('warn');
      try {
        const t = await startTestServer({
          dir: mnt,
          log,
          env: { COUNTERSIGN_SWEEP_INTERVAL_MS: '100', COUNTERSIGN_WEBHOOK_HOSTS: '127.0.0.1:*' },
        });
        try {
          const agent = await t.agentKey('deployer', 'erin@example.com');
          const alice = await t.userKey('alice@example.com', ['reviews:write']);
          // A webhook for a receiver that is not there: its delivery is retried about every second.
          const settled = await submit(t, agent, {
            action: 'deploy.web',
            callbackUrl: 'http://127.0.0.1:9/hook',
          });
          expect((await review(t, alice, settled.id, 'deny', 'not today')).status).toBe(200);
          const overdue = await submit(t, agent, { action: 'deploy.api' });
          await until(() => lines.some((l) => l.msg === 'webhook delivery failed; will retry'));

          const filler = join(mnt, 'filler');
          spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k']);
          // The WAL may hold a page or two of slack: a few writes more and it is full.
          const body = { action: 'deploy.web', justification: 'x'.repeat(4000) };
          for (let i = 0; i < 20; i++)
            if ((await t.call('POST', '/v1/actions', { key: agent, body })).status === 503) break;
          // The request falls due: every sweep now tries to write, and cannot.
          const real = t.server.core.now;
          t.server.core.now = () => real() + 24 * 3_600_000;
          const from = lines.length;
          await new Promise((resolve) => setTimeout(resolve, 4_000)); // 40 sweeps' worth, 4 webhook retries

          const during = lines.slice(from);
          const paused = (what: string) => during.filter((l) => l.msg.startsWith(`${what} paused`));
          // Before: "expiry sweep failed" with the whole stack, every 100 ms; the deliverer's every 10 ms.
          for (const what of ['the expiry sweep', 'webhook deliveries']) {
            expect(paused(what), JSON.stringify(during.slice(0, 5))).toHaveLength(1);
            expect(paused(what)[0]).toMatchObject({
              level: LEVEL.error,
              code: 'SQLITE_FULL',
              file: t.dbFile,
            });
            expect(paused(what)[0]?.err).toBeUndefined();
          }
          expect(during.filter(hasStack)).toEqual([]);
          expect(during.filter((l) => /pass failed|sweep failed/.test(l.msg))).toEqual([]);

          await rm(filler);
          const resumed = (what: string) => lines.filter((l) => l.msg.startsWith(`${what} resumed`));
          await until(
            () => resumed('the expiry sweep').length > 0 && resumed('webhook deliveries').length > 0,
          );
          for (const what of ['the expiry sweep', 'webhook deliveries']) {
            expect(resumed(what)).toHaveLength(1);
            expect(resumed(what)[0]).toMatchObject({ level: LEVEL.warn, code: 'SQLITE_FULL' });
            expect(resumed(what)[0]?.failures).toBeGreaterThanOrEqual(2);
          }
          const [row] = (
            await t.rawDb().execute({ sql: 'SELECT status FROM actions WHERE id = ?', args: [overdue.id] })
          ).rows;
          expect(row?.status).toBe('expired'); // the sweep caught up
          t.server.core.now = real;
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

describe('PassFailures', () => {
  const full = () =>
    new Error('Failed query: update "outbox" …', {
      cause: new LibsqlError('database or disk is full', 'SQLITE_FULL', 'SQLITE_FULL', 13),
    });

  it('finds the storage code under drizzle’s wrapper, the most specific one, and the file a system error names', () => {
    expect(storageFailureOf(full())).toEqual({ code: 'SQLITE_FULL' });
    expect(
      storageFailureOf(new LibsqlError('disk I/O error', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 778)),
    ).toEqual({ code: 'SQLITE_IOERR_WRITE' });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device'), {
      code: 'ENOSPC',
      path: '/data/countersign.db-wal',
    });
    expect(storageFailureOf(new Error('write failed', { cause: enospc }))).toEqual({
      code: 'ENOSPC',
      file: '/data/countersign.db-wal',
    });
    expect(storageFailureOf(new LibsqlError('no such table: x', 'SQLITE_ERROR'))).toBeUndefined();
    expect(storageFailureOf(new TypeError('x is undefined'))).toBeUndefined();
  });

  it('an outage: one line, repeats summed each minute, the recovery says how long and how many; other errors in full each time', () => {
    const { log, lines } = capturedLog('info');
    let now = 1_000_000;
    const failures = new PassFailures({
      log,
      paused: 'webhook deliveries',
      file: '/data/c.db',
      now: () => now,
    });
    for (let i = 0; i < 30; i++) {
      failures.failed(full());
      now += 1_000;
    }
    expect(lines.map((l) => l.msg)).toEqual([
      'webhook deliveries paused: the storage failed (SQLITE_FULL on /data/c.db); retrying every second',
    ]);
    for (let i = 0; i < 40; i++) {
      failures.failed(full());
      now += 1_000;
    }
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: LEVEL.warn, code: 'SQLITE_FULL', failures: 60 });

    const bug = new TypeError('x is undefined');
    failures.failed(bug);
    failures.failed(bug);
    expect(lines.slice(2).map((l) => [l.level, l.msg, typeof l.err])).toEqual([
      [LEVEL.error, 'webhook deliveries: a pass failed', 'object'],
      [LEVEL.error, 'webhook deliveries: a pass failed', 'object'],
    ]);
    expect(hasStack(lines[2] as LogLine)).toBe(true);

    failures.succeeded();
    expect(lines[4]).toMatchObject({
      level: LEVEL.warn,
      code: 'SQLITE_FULL',
      failures: 70,
      pausedForMs: 70_000,
    });
    expect(lines[4]?.msg).toBe('webhook deliveries resumed after 70 s (70 failed passes)');
    failures.succeeded();
    expect(lines).toHaveLength(5); // nothing to say while all is well
    expect(OUTAGE_SUMMARY_MS).toBe(60_000);
  });
});
