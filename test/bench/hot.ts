// `tsx test/bench/hot.ts`: only the request-path rows of `npm run bench` (CPU per allow decision, allow
// req/s, p99 at a fixed 1,000 req/s, review-to-unblock, the disk's commit floor), printed and not recorded. For before/after
// pairs while working on the write path: BENCH_CLI names another build (a copy of server/dist from
// before the change), BENCH_SECONDS shortens each scenario. Nothing here fails on speed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFloor } from './commit-floor';
import { ALLOW_BODY, benchSetup, CLI, cli, load, reviewToUnblock, start, stop } from './harness';
import { cpuMicros } from './proc';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-hot-'));
  const { env } = await benchSetup(dir);
  const agent = cli(['keys', 'create', '--agent', 'bench-bot', '--owner', 'owner@example.com'], env);
  const reviewer = cli(['keys', 'create', '--user', 'rita@example.com', '--scopes', 'reviews:write'], env);
  const server = await start([CLI, 'serve', '--port', '0'], env);
  const url = `${server.url}/v1/actions`;
  try {
    await load('warm-up', url, agent, ALLOW_BODY, { seconds: 3 });
    const before = cpuMicros(server.pid);
    const allow = await load('allow', url, agent, ALLOW_BODY);
    const allowUs = (cpuMicros(server.pid) - before) / Math.max(1, allow.answered);
    const fixed = await load('fixed', url, agent, ALLOW_BODY, { rate: 1000 });
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
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
