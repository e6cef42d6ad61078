import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, execAgent, startExec, waitingLine } from './fixtures/exec-process';
import { listActions, pendingOf, review, type Stack, startStack, unique, userKey } from './fixtures/stack';
import { runCli } from './processes';

const POLICY = `version: 1
groups:
  reviewers: [rita@example.com]
rules:
  - name: reads
    match: { action: "exec.read*" }
    effect: allow
  - name: no-drops
    match: { action: "exec.drop*" }
    effect: deny
    reason: Dropping is never allowed from a terminal.
  - name: hurry
    match: { action: "exec.hurry*" }
    effect: review
    approvers: [reviewers]
    timeout: 1s
default: { effect: review, approvers: [reviewers] }
`;

let stack: Stack;
let rita: string;
beforeAll(async () => {
  stack = await startStack(POLICY);
  rita = await userKey(stack, 'rita@example.com');
});
afterAll(async () => {
  await stack?.close();
});

const agent = () => execAgent(stack);

describe('countersign exec', () => {
  it('runs the command after approval, with the grant id and without the agent key', async () => {
    const { key, env, marker, command } = await agent();
    const exec = startExec(
      ['--action', 'deploy.app', '--env', 'prod', '--param', 'version=3', '--', ...command],
      env,
    );
    const line = await waitingLine(exec);
    expect(line).toMatch(
      /^countersign: act_\w+ deploy\.app: waiting for approval by reviewers \(0 of 1\), expires in 1[45]m \d\ds; no chat transport is configured: reviewers approve with POST \/v1\/actions\/act_\w+\/reviews$/,
    );
    expect(existsSync(marker)).toBe(false);
    const pending = await pendingOf(stack, key);
    expect(pending).toMatchObject({ source: 'cli', environment: 'prod', params: { version: 3 } });
    expect(pending.context.command).toEqual(command);
    await review(stack, rita, pending.id, 'approve');
    expect(await exec.exited).toBe(0);
    const seen = JSON.parse(await readFile(marker, 'utf8')) as { grant: string; key: string | null };
    expect(seen.grant).toMatch(/^grt_/);
    expect(seen.key).toBeNull();
    expect(exec.stderr()).toContain(`approved by user:rita@example.com (${pending.id})`);
  });

  it('passes the command’s exit code through', async () => {
    const { env } = await agent();
    const result = await runCli(
      ['exec', '--action', 'exec.readLogs', '--', process.execPath, '-e', 'process.exit(7)'],
      env,
    );
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/allowed by policy rule reads/);
  });

  it('parses --param values as JSON scalars where they parse, else as strings', async () => {
    const { key, env } = await agent();
    const params = [
      'n=5',
      'f=-2.5',
      't=true',
      'z=null',
      's=hello',
      'q="5"',
      'a=[1]',
      'e=',
      'eq=a=b',
      'sp= 1',
    ];
    const args = params.flatMap((p) => ['--param', p]);
    expect((await runCli(['exec', '--action', 'exec.readParams', ...args, '--', 'true'], env)).code).toBe(0);
    const [request] = await listActions(stack, key);
    expect(request?.params).toEqual({
      n: 5,
      f: -2.5,
      t: true,
      z: null,
      s: 'hello',
      q: '5',
      a: '[1]',
      e: '',
      eq: 'a=b',
      sp: ' 1',
    });
  });

  it('never runs the command when a reviewer denies it, says who and why, and exits 77', async () => {
    const { key, env, marker, command } = await agent();
    const exec = startExec(['--action', 'deploy.app', '--', ...command], env);
    await waitingLine(exec);
    await review(stack, rita, (await pendingOf(stack, key)).id, 'deny', 'change freeze until Monday');
    expect(await exec.exited).toBe(77);
    expect(exec.stderr()).toMatch(/denied by user:rita@example\.com: change freeze until Monday/);
    expect(existsSync(marker)).toBe(false);
  });

  it('exits 77 with the rule and reason when the policy blocks it', async () => {
    const { env, marker, command } = await agent();
    const result = await runCli(['exec', '--action', 'exec.dropAll', '--', ...command], env);
    expect(result.code).toBe(77);
    expect(result.stderr).toMatch(
      /blocked by policy rule no-drops: Dropping is never allowed from a terminal\./,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('exits 75 when the request expires unreviewed', async () => {
    const { env, marker, command } = await agent();
    const result = await runCli(['exec', '--action', 'exec.hurryUp', '--', ...command], env);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/expired without a decision/);
    expect(existsSync(marker)).toBe(false);
  });

  it('cancels the request on Ctrl-C while waiting and exits 75, as a cancelled request does', async () => {
    const { key, env, marker, command } = await agent();
    const exec = startExec(['--action', 'deploy.app', '--', ...command], env);
    await waitingLine(exec);
    const pending = await pendingOf(stack, key);
    exec.child.kill('SIGINT');
    expect(await exec.exited).toBe(75);
    expect(exec.stderr()).toMatch(new RegExp(`cancelled ${pending.id}`));
    const [after] = await listActions(stack, key);
    expect(after?.status).toBe('cancelled');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('countersign exec refuses to start', () => {
  // These fail before any request is made: no principal needed.
  const offline = () => ({ COUNTERSIGN_URL: stack.server.url, COUNTERSIGN_KEY: 'csk_never_used' });

  it('exits 69 when the server is unreachable, running nothing', async () => {
    const marker = join(stack.dir, unique('unreachable'));
    const command = [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`];
    const port = await closedPort();
    const result = await runCli(['exec', '--action', 'exec.readLogs', '--', ...command], {
      ...offline(),
      COUNTERSIGN_URL: `http://127.0.0.1:${port}`,
    });
    expect(result.code).toBe(69);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot reach Countersign at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    [['--action', 'x.y', 'true'], /put the command after --/],
    [['--', 'true'], /--action ACTION is required/],
    [['--action', 'has space', '--', 'true'], /--action: letters, digits/],
    [
      ['--action', 'x.y', '--param', 'a=1', '--param', 'a=2', '--', 'true'],
      /--param: "a" is given more than once/,
    ],
    [['--action', 'x.y', '--bogus', '--', 'true'], /Unknown option '--bogus'/],
    [['--action', 'x.y', '--', 'no-such-command-here'], /no-such-command-here: command not found/],
  ])('exits 64 for %o', async (args, message) => {
    const result = await runCli(['exec', ...args], offline());
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(message);
  });

  it.each([['COUNTERSIGN_URL'], ['COUNTERSIGN_KEY']])(
    'exits 78 naming %s when it is missing',
    async (name) => {
      const result = await runCli(['exec', '--action', 'x.y', '--', 'true'], {
        COUNTERSIGN_URL: 'http://127.0.0.1:9',
        COUNTERSIGN_KEY: 'csk_x',
        [name]: '',
      });
      expect(result.code).toBe(78);
      expect(result.stderr).toMatch(new RegExp(`^${name}: not set`));
    },
  );
});
