// The pieces every bench script shares: start a process and read its URL, drive it with autocannon,
// time review-to-unblock.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// BENCH_CLI: another build of the CLI (a copy of server/dist from before a change) for before/after pairs.
export const CLI = process.env.BENCH_CLI ?? join(ROOT, 'server', 'dist', 'cli', 'main.js');
export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = 32;

export type Row = { name: string; rps: number; p50: number; p99: number; non2xx: number; answered: number };
export type Proc = { url: string; child: ChildProcess; pid: number };

export function start(args: string[], env: Record<string, string>): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url && child.pid) resolve({ url, child, pid: child.pid });
    });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

export const stop = (proc: Proc) =>
  new Promise<void>((done) => {
    if (proc.child.exitCode !== null) return done();
    proc.child.removeAllListeners('exit');
    proc.child.once('exit', () => done());
    proc.child.kill('SIGTERM');
  });

export function cli(args: string[], env: Record<string, string>): string {
  const out = execFileSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
  });
  return out.toString().trim().split('\n').at(-1) ?? '';
}

export async function load(
  name: string,
  url: string,
  key: string | undefined,
  body: unknown,
  options: { rate?: number; seconds?: number } = {},
): Promise<Row> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: options.rate ? 16 : CONNECTIONS,
    duration: options.seconds ?? DURATION,
    ...(options.rate && { overallRate: options.rate }),
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    answered: result['2xx'],
  };
}

export async function reviewToUnblock(url: string, agent: string, reviewer: string, samples: number) {
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

/** The bench's policy (an allow rule and a review rule) and the server's environment, in `dir`. */
export async function benchSetup(dir: string): Promise<{ policy: string; env: Record<string, string> }> {
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
  // Admin verbs refuse a database that does not exist yet: `init` makes it. An older build
  // (BENCH_CLI) without `init` made it in its first `keys create`, so a refusal here is left alone.
  try {
    cli(['init'], env);
  } catch {
    // That older build.
  }
  return { policy, env };
}

/** What an allow request sends. */
export const ALLOW_BODY = {
  action: 'bench.read',
  resource: 'bench/items/1',
  environment: 'prod',
  params: { limit: 10 },
};
