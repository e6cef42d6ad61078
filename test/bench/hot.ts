// `tsx test/bench/hot.ts`: only the request-path rows of `npm run bench` (CPU per allow decision, allow
// req/s, p99 at a fixed 1,000 req/s, review-to-unblock, the disk's commit floor), printed and not recorded. For before/after
// pairs while working on the write path: BENCH_CLI names another build (a copy of server/dist from
// before the change), BENCH_SECONDS shortens each scenario. Nothing here fails on speed.
// BENCH_ELD=1 also says what sets the fixed-rate p99: the server preloads eld.mjs (event-loop delay
// and GC pauses per scenario), its main thread's run-queue wait (CPU starvation) is read from /proc,
// and the echo is driven at the same fixed rate for the machine's own tail.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFloor } from './commit-floor';
import { ALLOW_BODY, benchSetup, CLI, cli, load, ROOT, reviewToUnblock, start, stop } from './harness';
import { cpuMicros, mainThreadSched } from './proc';

const ELD = process.env.BENCH_ELD === '1';
const ELD_PRELOAD = join(ROOT, 'test', 'bench', 'eld.mjs');

/** Asks the preloaded eld.mjs for the window since the last ask (a JSON line appended to `file`). */
async function eldWindow(pid: number, file: string): Promise<unknown> {
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
  const before = lines().length;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 200 && lines().length === before; i++) await new Promise((r) => setTimeout(r, 10));
  const last = lines().at(-1);
  return lines().length > before && last ? JSON.parse(last) : 'no answer';
}

/** What the server's main thread did during `run`: ran, or sat runnable waiting for a core. */
async function sched<T>(pid: number, run: () => Promise<T>) {
  const start = mainThreadSched(pid);
  const wall = performance.now();
  const result = await run();
  const end = mainThreadSched(pid);
  const seconds = (performance.now() - wall) / 1000;
  return {
    result,
    ranPerSecondMs: Math.round((end.runUs - start.runUs) / 1000 / seconds),
    waitedPerSecondMs: Math.round((end.waitUs - start.waitUs) / 1000 / seconds),
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-hot-'));
  const { env } = await benchSetup(dir);
  const agent = cli(['keys', 'create', '--agent', 'bench-bot', '--owner', 'owner@example.com'], env);
  const reviewer = cli(['keys', 'create', '--user', 'rita@example.com', '--scopes', 'reviews:write'], env);
  const eldFile = join(dir, 'eld.ndjson');
  const server = await start(
    ELD ? ['--import', ELD_PRELOAD, CLI, 'serve', '--port', '0'] : [CLI, 'serve', '--port', '0'],
    ELD ? { ...env, COUNTERSIGN_BENCH_ELD_FILE: eldFile } : env,
  );
  const echo = ELD ? await start(['--import', 'tsx', 'test/bench/echo-server.ts'], {}) : undefined;
  const url = `${server.url}/v1/actions`;
  try {
    await load('warm-up', url, agent, ALLOW_BODY, { seconds: 3 });
    if (ELD) await eldWindow(server.pid, eldFile);
    const before = cpuMicros(server.pid);
    const allow = await load('allow', url, agent, ALLOW_BODY);
    const allowUs = (cpuMicros(server.pid) - before) / Math.max(1, allow.answered);
    const eldAllow = ELD ? await eldWindow(server.pid, eldFile) : undefined;
    const fixedRun = await sched(server.pid, () => load('fixed', url, agent, ALLOW_BODY, { rate: 1000 }));
    const fixed = fixedRun.result;
    const eldFixed = ELD ? await eldWindow(server.pid, eldFile) : undefined;
    let echoFixed: { p50: number; p99: number; rps: number } | undefined;
    if (echo) {
      await load('warm-up', `${echo.url}/echo`, undefined, ALLOW_BODY, { seconds: 3 });
      const row = await load('echo fixed', `${echo.url}/echo`, undefined, ALLOW_BODY, { rate: 1000 });
      echoFixed = { p50: row.p50, p99: row.p99, rps: Math.round(row.rps) };
    }
    const unblock = await reviewToUnblock(server.url, agent, reviewer, 200);
    const floor = commitFloor(dir);
    const line = {
      cli: CLI,
      allowUsPerRequest: Math.round(allowUs),
      allowRps: Math.round(allow.rps),
      allowP99: allow.p99,
      fixedRps: Math.round(fixed.rps),
      fixedP50: fixed.p50,
      fixedP99: fixed.p99,
      unblockP50: Number(pct(unblock, 50).toFixed(1)),
      unblockP99: Number(pct(unblock, 99).toFixed(1)),
      commitP50: Number(floor.p50.toFixed(2)),
      commitP99: Number(floor.p99.toFixed(1)),
      non2xx: allow.non2xx + fixed.non2xx,
      ...(ELD && {
        fixedMainThread: {
          ranMsPerS: fixedRun.ranPerSecondMs,
          waitedForCpuMsPerS: fixedRun.waitedPerSecondMs,
        },
        eldAllow,
        eldFixed,
        echoFixed,
        loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      }),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await stop(server);
    if (echo) await stop(echo);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
