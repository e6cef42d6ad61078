// `npm run bench`: every row of the hot-path issue's table in one run — the API on 127.0.0.1 against
// a bare Hono echo, the policy evaluator, audit verify and export of 1,000,000 events, CLI start-up,
// memory — recorded in docs/benchmarks.md. A measurement, not a test: nothing here fails on speed.
import { execSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { AUDIT_EVENTS, auditDb } from './audit-db';
import { commitFloor } from './commit-floor';
import {
  ALLOW_BODY,
  benchSetup,
  CLI,
  CONNECTIONS,
  cli,
  DURATION,
  load,
  ROOT,
  type Row,
  reviewToUnblock,
  start,
  stop,
} from './harness';
import { benchPolicy } from './policy';
import { cpuMicros, rssMb, rssPeak } from './proc';
import { summarise } from './profile-summary';

const SOAK = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
type Timed = { wallMs: number; cpuMs: number; out: string };

/**
 * Runs `node ARGS` under GNU time: wall and CPU (user + system) time. On a shared machine the wall
 * time swings with everyone else's load; the CPU time is what the command itself costs.
 */
function timed(args: string[], env: Record<string, string>): Timed {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  const [, user, system] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr) ?? [];
  return { wallMs, cpuMs: (Number(user) + Number(system)) * 1000, out: result.stdout.trim() };
}

/** Median wall and CPU time of a CLI command over `runs`. */
function cliWall(args: string[], env: Record<string, string>, runs = 5): Timed {
  const runsTimed = Array.from({ length: runs }, () => timed([CLI, ...args], env));
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? 0;
  return {
    wallMs: median(runsTimed.map((r) => r.wallMs)),
    cpuMs: median(runsTimed.map((r) => r.cpuMs)),
    out: '',
  };
}

/** `node -e ''` on this machine now: the floor under any CLI's wall time. */
const nodeFloor = () => timed(['-e', ''], {}).wallMs;

async function auditRows(policy: string) {
  const db = await auditDb(cli, policy);
  const env = { ...db.env, LOG_LEVEL: 'warn' };
  timed([CLI, 'audit', 'verify'], env); // once to warm the page cache: the file was just written
  const verify = timed([CLI, 'audit', 'verify'], env);
  const verified = verify.out;
  const verifyMs = verify.wallMs;
  const verifyCpuMs = verify.cpuMs;

  const server = await start([CLI, 'serve', '--port', '0'], env);
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = rssMb(server.pid);
    const peak = rssPeak(server.pid);
    const started = performance.now();
    const res = await fetch(`${server.url}/v1/audit?format=ndjson`, {
      headers: { authorization: `Bearer ${db.key}` },
    });
    if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`);
    let lines = 0;
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines += 1;
    }
    const exportMs = performance.now() - started;
    return { verified, verifyMs, verifyCpuMs, exportMs, lines, bytes, idle, peak: peak.stop() };
  } finally {
    await stop(server);
  }
}

/** The server from its TypeScript sources under `--cpu-prof`, under the allow load; top buckets. */
async function profile(env: Record<string, string>, agent: string, body: unknown, dir: string) {
  const profDir = join(dir, 'prof');
  const server = await start(
    [
      '--cpu-prof',
      `--cpu-prof-dir=${profDir}`,
      '--import',
      'tsx',
      'server/src/cli/main.ts',
      'serve',
      '--port',
      '0',
    ],
    env,
  );
  await load('warm-up', `${server.url}/v1/actions`, agent, body, { seconds: 3 });
  const before = cpuMicros(server.pid);
  const row = await load('profiled', `${server.url}/v1/actions`, agent, body);
  const usPerRequest = (cpuMicros(server.pid) - before) / Math.max(1, row.answered);
  await stop(server);
  // tsx runs its loader in a worker thread, which writes a profile of its own: the main thread's is
  // the largest.
  const files = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
  const sizes = await Promise.all(files.map(async (f) => ({ f, size: (await stat(join(profDir, f))).size })));
  const main = sizes.sort((a, b) => b.size - a.size)[0]?.f;
  return { usPerRequest, buckets: main ? await summarise(join(profDir, main)) : [] };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-bench-'));
  const { policy, env } = await benchSetup(dir);
  const floor = nodeFloor();
  const help = cliWall(['--help'], env);
  const keys = cliWall(['keys', 'create', '--agent', 'timing-bot', '--owner', 'owner@example.com'], env);
  const agent = cli(['keys', 'create', '--agent', 'bench-bot', '--owner', 'owner@example.com'], env);
  const reviewer = cli(['keys', 'create', '--user', 'rita@example.com', '--scopes', 'reviews:write'], env);

  const echo = await start(['--import', 'tsx', 'test/bench/echo-server.ts'], {});
  // The memory row also asks for the memory left after a full GC (settled-memory.mjs, bench only).
  const memoryFile = join(dir, 'memory.ndjson');
  const server = await start(
    [
      '--expose-gc',
      '--import',
      join(ROOT, 'test', 'bench', 'settled-memory.mjs'),
      CLI,
      'serve',
      '--port',
      '0',
    ],
    { ...env, COUNTERSIGN_BENCH_MEMORY_FILE: memoryFile },
  );
  const settled = async (): Promise<{ rssMb: number; heapMb: number }> => {
    const before = (await readFile(memoryFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    process.kill(server.pid, 'SIGUSR2');
    for (let i = 0; i < 100; i++) {
      const lines = (await readFile(memoryFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      if (lines.length > before) return JSON.parse(lines.at(-1) ?? '{}') as { rssMb: number; heapMb: number };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the server did not report its settled memory');
  };
  const body = ALLOW_BODY;
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const idleRss = rssMb(server.pid);
    await load('warm-up', `${echo.url}/echo`, undefined, body); // JIT both stacks before measuring
    await load('warm-up', `${server.url}/v1/actions`, agent, body);
    const echoCpu = cpuMicros(echo.pid);
    const base = await load('Hono JSON echo (baseline)', `${echo.url}/echo`, undefined, body);
    const echoUs = (cpuMicros(echo.pid) - echoCpu) / Math.max(1, base.answered);
    const serverCpu = cpuMicros(server.pid);
    const allow = await load(
      'POST /v1/actions, allow rule (policy + audit + grant, fsync)',
      `${server.url}/v1/actions`,
      agent,
      body,
    );
    const allowUs = (cpuMicros(server.pid) - serverCpu) / Math.max(1, allow.answered);
    const review = await load('POST /v1/actions, review rule (held)', `${server.url}/v1/actions`, agent, {
      ...body,
      action: 'bench.write',
    });
    const fixed = await load(
      'POST /v1/actions, allow rule at a fixed 1,000 req/s',
      `${server.url}/v1/actions`,
      agent,
      body,
      {
        rate: 1000,
      },
    );
    // The same fixed rate against the echo: the tail the machine and autocannon add on their own.
    const echoFixed = await load(
      'Hono JSON echo at a fixed 1,000 req/s',
      `${echo.url}/echo`,
      undefined,
      body,
      {
        rate: 1000,
      },
    );
    const unblock = await reviewToUnblock(server.url, agent, reviewer, 200);
    const commits = commitFloor(dir);
    // Memory under a steady load well below saturation, sampled at the middle and the end.
    const soakStart = rssMb(server.pid);
    const settledStart = await settled();
    const half = Math.max(1, Math.round(SOAK / 2));
    await load('soak', `${server.url}/v1/actions`, agent, body, { rate: 300, seconds: half });
    const soakMid = rssMb(server.pid);
    const settledMid = await settled();
    await load('soak', `${server.url}/v1/actions`, agent, body, { rate: 300, seconds: SOAK - half });
    const soakEnd = rssMb(server.pid);
    const settledEnd = await settled();
    await stop(server);
    await stop(echo);

    const policyBench = benchPolicy();
    const audit = await auditRows(policy);
    const prof = await profile(env, agent, body, dir);
    await writeReport({
      rows: [base, allow, review, fixed, echoFixed],
      echoUs,
      allowUs,
      unblock,
      commits,
      policyBench,
      audit,
      cliTimes: { floor, help, keys },
      memory: { idleRss, soakStart, soakMid, soakEnd, settled: [settledStart, settledMid, settledEnd] },
      prof,
    });
  } finally {
    await stop(echo);
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
}

type Report = {
  rows: Row[];
  echoUs: number;
  allowUs: number;
  unblock: number[];
  commits: ReturnType<typeof commitFloor>;
  policyBench: ReturnType<typeof benchPolicy>;
  audit: Awaited<ReturnType<typeof auditRows>>;
  cliTimes: { floor: number; help: Timed; keys: Timed };
  memory: {
    idleRss: number;
    soakStart: number;
    soakMid: number;
    soakEnd: number;
    /** After a full GC at the start, middle and end of the soak: what the server keeps. */
    settled: { rssMb: number; heapMb: number }[];
  };
  prof: Awaited<ReturnType<typeof profile>>;
};

async function writeReport(r: Report) {
  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const [base, allow, , fixed] = r.rows;
  const ratio = allow && base ? allow.rps / base.rps : 0;
  const policyWorst = Math.max(...r.policyBench.cases.map((c) => c.medianUs));
  const mark = (met: boolean) => (met ? 'met' : '**not met**');
  const summary = [
    '| figure | result | target | |',
    '|---|---:|---|---|',
    `| server CPU per allow decision (WAL, synchronous=FULL) | ${fmt(r.allowUs)} µs (echo: ${fmt(r.echoUs)} µs) | ≤ 150 µs | ${mark(r.allowUs <= 150)} |`,
    `| allow req/s ÷ echo req/s | ${ratio.toFixed(3)} (${fmt(allow?.rps ?? 0)} / ${fmt(base?.rps ?? 0)}) | ≥ 0.25 | ${mark(ratio >= 0.25)} |`,
    `| allow p99 at a fixed 1,000 req/s | ${fmt(fixed?.p99 ?? 0)} ms (${fmt(fixed?.rps ?? 0)} req/s reached) | < 10 ms | ${mark((fixed?.p99 ?? 99) < 10 && (fixed?.rps ?? 0) > 950)} |`,
    `| review-to-unblock p99 | ${fmt(pct(r.unblock, 99))} ms | < 15 ms | ${mark(pct(r.unblock, 99) < 15)} |`,
    `| the disk's floor under both: a bare one-row commit (WAL, synchronous=FULL), p50 / p99 | ${r.commits.p50.toFixed(2)} / ${r.commits.p99.toFixed(1)} ms (${r.commits.commits} commits in 3 s) | recorded | |`,
    `| policy evaluation, ${r.policyBench.rules} rules, median (worst case of ${r.policyBench.cases.length}) | ${policyWorst.toFixed(2)} µs | < 20 µs | ${mark(policyWorst < 20)} |`,
    `| \`audit verify\` of ${AUDIT_EVENTS.toLocaleString('en')} events, wall (CPU) | ${ms(r.audit.verifyMs)} (${ms(r.audit.verifyCpuMs)}) | < 5 s | ${mark(r.audit.verifyMs < 5_000)} |`,
    `| NDJSON export of ${AUDIT_EVENTS.toLocaleString('en')} events through the API | ${ms(r.audit.exportMs)}, peak RSS ${fmt(r.audit.peak)} MB (idle ${fmt(r.audit.idle)} MB) | < 10 s, flat memory | ${mark(r.audit.exportMs < 10_000 && r.audit.peak - r.audit.idle < 100)} |`,
    `| \`countersign --help\` / \`keys create\`, wall (CPU); \`node -e ''\`: ${ms(r.cliTimes.floor)} | ${ms(r.cliTimes.help.wallMs)} (${ms(r.cliTimes.help.cpuMs)}) / ${ms(r.cliTimes.keys.wallMs)} (${ms(r.cliTimes.keys.cpuMs)}) | < 300 ms | ${mark(r.cliTimes.help.wallMs < 300 && r.cliTimes.keys.wallMs < 300)} |`,
    `| server RSS idle / before, middle and end of ${SOAK} s at 300 req/s (garbage not yet collected included) | ${fmt(r.memory.idleRss)} / ${fmt(r.memory.soakStart)}, ${fmt(r.memory.soakMid)}, ${fmt(r.memory.soakEnd)} MB | recorded | |`,
    `| the same three moments after a full GC: heap used (RSS) | ${r.memory.settled.map((m) => `${fmt(m.heapMb)} (${fmt(m.rssMb)})`).join(', ')} MB | no growth | ${mark((r.memory.settled[2]?.heapMb ?? 0) - (r.memory.settled[0]?.heapMb ?? 0) < 5)} |`,
  ].join('\n');
  const table = [
    '| scenario | req/s | p50 ms | p99 ms | ratio to echo | non-2xx/errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.rows.map(
      (row) =>
        `| ${row.name} | ${fmt(row.rps)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${base ? (row.rps / base.rps).toFixed(3) : '?'} | ${row.non2xx} |`,
    ),
  ].join('\n');
  const policyRows = r.policyBench.cases.map((c) => `${c.name}: ${c.medianUs.toFixed(2)} µs`).join('; ');
  const buckets = r.prof.buckets.map((b) => `${b.name} ${(b.share * 100).toFixed(1)}%`).join(', ');
  const results = `<!-- bench:start -->
Run ${new Date().toISOString()} at commit \`${commit}\` on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GB,
Node ${process.version}; ${DURATION} s per scenario, ${CONNECTIONS} connections (16 for the fixed rate), autocannon in
its own process beside the server on 127.0.0.1; the server is the built CLI (\`server/dist\`).
CPU per request is the process's utime + stime from /proc across the load, divided by the 2xx answers.

${summary}

${table}

Review-to-unblock (approve sent → the waiting long-poll answered, ${r.unblock.length} samples, each approve
its own durable commit): p50 ${fmt(pct(r.unblock, 50))} ms, p99 ${fmt(pct(r.unblock, 99))} ms, max ${fmt(r.unblock.at(-1) ?? 0)} ms.
Policy, ${r.policyBench.rules} rules: ${policyRows}.
Audit: verify said “${r.audit.verified.split('\n').at(-1)}”; the export streamed ${r.audit.lines.toLocaleString('en')} lines
(${fmt(r.audit.bytes / 2 ** 20)} MB).
Profile (\`node --cpu-prof\`, server from its sources under tsx, allow load, ${fmt(r.prof.usPerRequest)} µs CPU a request
there; self time, idle excluded): ${buckets}.
<!-- bench:end -->`;
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const current = await readFile(file, 'utf8').catch(() => '');
  const next = current.includes('<!-- bench:start -->')
    ? current.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, results)
    : `${current}\n${results}\n`;
  await writeFile(file, next);
  process.stdout.write(`${results}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
