// `tsx test/bench/profile-hot.ts`: the built server (or BENCH_CLI) under `node --cpu-prof` and the
// allow load, then the top functions by self time (main thread, idle excluded) with their file and
// line: what to look at next on the allow path. Printed, not recorded.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_BODY, benchSetup, CLI, cli, load, start, stop } from './harness';
import { cpuMicros } from './proc';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };
type Profile = { nodes: Node[]; samples: number[] };

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-prof-'));
  const { env } = await benchSetup(dir);
  const agent = cli(['keys', 'create', '--agent', 'bench-bot', '--owner', 'owner@example.com'], env);
  const profDir = join(dir, 'prof');
  const server = await start(['--cpu-prof', `--cpu-prof-dir=${profDir}`, CLI, 'serve', '--port', '0'], env);
  try {
    const url = `${server.url}/v1/actions`;
    await load('warm-up', url, agent, ALLOW_BODY, { seconds: 3 });
    const before = cpuMicros(server.pid);
    const row = await load('profiled', url, agent, ALLOW_BODY);
    const us = (cpuMicros(server.pid) - before) / Math.max(1, row.answered);
    await stop(server);
    const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    const profile = JSON.parse(await readFile(join(profDir, file), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let total = 0;
    for (const id of profile.samples) {
      const frame = byId.get(id)?.callFrame;
      if (!frame || frame.functionName === '(idle)') continue;
      total += 1;
      const where = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
      self.set(where, (self.get(where) ?? 0) + 1);
    }
    process.stdout.write(
      `${Math.round(us)} µs CPU a request, ${Math.round(row.rps)} req/s, ${total} samples\n`,
    );
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_TOP ?? 40));
    for (const [where, n] of top)
      process.stdout.write(`${((n / total) * 100).toFixed(1).padStart(5)}%  ${where}\n`);
  } finally {
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
