// `npm run bench`: measures the API on 127.0.0.1 against a bare Hono echo and records the results in
// docs/benchmarks.md. A measurement, not a test: nothing here passes or fails on speed.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;

type Row = { name: string; rps: number; p50: number; p99: number; non2xx: number; ratio?: number };

function start(args: string[], env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ url, child });
    });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

function cli(args: string[], env: Record<string, string>): string {
  const out = execSync(`${process.execPath} --import tsx server/src/cli/main.ts ${args.join(' ')}`, {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
  });
  return out.toString().trim().split('\n').at(-1) ?? '';
}

async function load(
  name: string,
  url: string,
  key: string | undefined,
  body: unknown,
  rate?: number,
): Promise<Row> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: rate ? 16 : CONNECTIONS,
    duration: DURATION,
    ...(rate && { overallRate: rate }),
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

async function reviewToUnblock(
  url: string,
  agent: string,
  reviewer: string,
  samples: number,
): Promise<number[]> {
  const times: number[] = [];
  const post = (key: string, path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ id: string; status: string }>);
  for (let i = 0; i < samples; i++) {
    const { id } = await post(agent, '/v1/actions', { action: 'bench.write', params: { i } });
    const waiting = fetch(`${url}/v1/actions/${id}?wait=30`, {
      headers: { authorization: `Bearer ${agent}` },
    }).then(async (r) => ({ at: performance.now(), body: (await r.json()) as { status: string } }));
    await new Promise((r) => setTimeout(r, 15)); // let the long-poll reach the server and subscribe
    const sent = performance.now();
    await post(reviewer, `/v1/actions/${id}/reviews`, { decision: 'approve' });
    const answered = await waiting;
    if (answered.body.status !== 'approved') throw new Error(`long-poll answered ${answered.body.status}`);
    times.push(answered.at - sent);
  }
  return times.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-bench-'));
  const policy = join(dir, 'policy.yaml');
  await writeFile(
    policy,
    `version: 1
groups: { reviewers: [rita@example.com] }
rules:
  - { name: reads, match: { action: bench.read }, effect: allow }
  - { name: writes, match: { action: bench.write }, effect: review, approvers: [reviewers] }
`,
  );
  const env = {
    COUNTERSIGN_DB_URL: `file:${join(dir, 'bench.db')}`,
    COUNTERSIGN_POLICY: policy,
    COUNTERSIGN_RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
  };
  const agent = cli(['keys', 'create', '--agent', 'bench-bot', '--owner', 'owner@example.com'], env);
  const reviewer = cli(['keys', 'create', '--user', 'rita@example.com', '--scopes', 'reviews:write'], env);

  const echo = await start(['test/bench/echo-server.ts'], {});
  const server = await start(['server/src/cli/main.ts', 'serve', '--port', '0'], env);
  const body = {
    action: 'bench.read',
    resource: 'bench/items/1',
    environment: 'prod',
    params: { limit: 10 },
  };
  try {
    const rows: Row[] = [];
    await load('warm-up', `${echo.url}/echo`, undefined, body); // JIT both stacks before measuring
    await load('warm-up', `${server.url}/v1/actions`, agent, body);
    const base = await load('Hono JSON echo (baseline)', `${echo.url}/echo`, undefined, body);
    rows.push(base);
    rows.push(
      await load(
        'POST /v1/actions, allow rule (policy + audit + grant, fsync)',
        `${server.url}/v1/actions`,
        agent,
        body,
      ),
    );
    rows.push(
      await load('POST /v1/actions, review rule (held)', `${server.url}/v1/actions`, agent, {
        ...body,
        action: 'bench.write',
      }),
    );
    rows.push(
      await load(
        'POST /v1/actions, allow rule at a fixed 1,000 req/s',
        `${server.url}/v1/actions`,
        agent,
        body,
        1000,
      ),
    );
    for (const row of rows) row.ratio = row.rps / base.rps;
    const unblock = await reviewToUnblock(server.url, agent, reviewer, 200);
    await writeReport(rows, unblock);
  } finally {
    echo.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeReport(rows: Row[], unblock: number[]) {
  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const table = [
    '| scenario | req/s | p50 ms | p99 ms | ratio to echo | non-2xx/errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${(r.ratio ?? 0).toFixed(2)} | ${r.non2xx} |`,
    ),
  ].join('\n');
  const results = `<!-- bench:start -->
Run ${new Date().toISOString()} at commit \`${commit}\` on ${cpus().length} × ${cpu}, Node ${process.version},
${DURATION} s per scenario, ${CONNECTIONS} connections (16 for the fixed-rate row), load generator (autocannon) in
its own process beside the server on 127.0.0.1.

${table}

Review-to-unblock (approve sent → the waiting long-poll answered, ${unblock.length} samples, each approve
its own durable commit): p50 ${fmt(pct(unblock, 50))} ms, p99 ${fmt(pct(unblock, 99))} ms, max ${fmt(unblock.at(-1) ?? 0)} ms.
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
