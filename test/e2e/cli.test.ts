import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startServe, tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
let env: Record<string, string>;
beforeAll(async () => {
  dir = await tempDir();
  env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db` };
});
afterAll(async () => {
  await dir?.remove();
});

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('start-up refuses a bad environment with one line naming the variable', () => {
  it.each([
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: must be at most 65535/],
    [{ COUNTERSIGN_DB_URL: 'postgres://db/countersign' }, /^COUNTERSIGN_DB_URL: must be a file:/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ COUNTERSIGN_SECRET: 'short' }, /^COUNTERSIGN_SECRET: must be at least 32 characters/],
  ])('%o', async (bad, message) => {
    const result = await runCli(['serve'], { ...env, ...bad });
    expect(result.code).toBe(78);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('names every problem of an invalid policy file, with file:line:column, and does not start', async () => {
    const policy = join(dir.dir, 'bad.yaml');
    await writeFile(policy, 'version: 1\nrules:\n  - name: x\n    effect: sometimes\n');
    const result = await runCli(['serve', '--port', '0'], { ...env, COUNTERSIGN_POLICY: policy });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/^COUNTERSIGN_POLICY: .*bad\.yaml is not a valid policy/);
    expect(result.stderr).toContain(`${policy}:4:13`);
    noStack(result.stderr);
  });

  it('says so when the port is taken', async () => {
    const first = await startServe(env);
    try {
      const port = new URL(first.url).port;
      // Another database: a second serve on the same file is refused before it tries the port.
      const other = { COUNTERSIGN_DB_URL: `file:${dir.dir}/other/countersign.db` };
      const result = await runCli(['serve', '--port', port], other);
      expect(result.code).toBe(78);
      // The port came from the flag, so the refusal names the flag.
      expect(result.stderr).toMatch(new RegExp(`^--port: ${port} is already in use$`, 'm'));
    } finally {
      await first.stop();
    }
  });
});

describe('usage errors exit 64 with a message, never a stack trace', () => {
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['keys', 'create', '--agent', 'bot'], /--agent needs --owner EMAIL/],
    [
      ['keys', 'create', '--agent', 'Bad Name', '--owner', 'a@example.com'],
      /--agent: "Bad Name" is not valid/,
    ],
    [['keys', 'create', '--user', 'not-an-email'], /--user: "not-an-email" is not valid/],
    [['login', '--user', 'notanemail'], /--user: "notanemail" is not valid/],
    [['keys', 'create', '--user', 'a@example.com', '--scopes', 'root'], /unknown scope "root"/],
    [['keys', 'create', '--user', 'a@example.com', '--bogus'], /Unknown option '--bogus'/],
    [['audit', 'export', '--format', 'xml'], /--format: "xml" is not ndjson or csv/],
    [['policy', 'check'], /usage:/],
  ])('%o', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(message);
    noStack(result.stderr);
  });

  it('refuses an agent key for reviews and a changed owner', async () => {
    expect((await runCli(['init'], env)).code).toBe(0);
    const reviewer = await runCli(
      ['keys', 'create', '--agent', 'bot', '--owner', 'a@example.com', '--scopes', 'reviews:write'],
      env,
    );
    expect(reviewer.code).toBe(1);
    expect(reviewer.stderr).toMatch(/agents cannot review/);
    expect((await runCli(['keys', 'create', '--agent', 'bot', '--owner', 'a@example.com'], env)).code).toBe(
      0,
    );
    const hijack = await runCli(['keys', 'create', '--agent', 'bot', '--owner', 'mallory@example.com'], env);
    expect(hijack.code).toBe(1);
    expect(hijack.stderr).toBe(
      'invalid_request: agent bot is owned by a@example.com; to change its owner, run: ' +
        'countersign agents reassign bot --owner EMAIL\n',
    );
  });
});

describe('policy check and policy test', () => {
  it('accepts the shipped example policy and its cases', async () => {
    const check = await runCli(['policy', 'check', 'countersign.policy.yaml']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/countersign\.policy\.yaml: ok \(sha256:[0-9a-f]{16}; \d+ rules/);
    const cases = await runCli(['policy', 'test', 'countersign.policy.yaml', 'examples/policy-cases.yaml']);
    expect(cases.code).toBe(0);
  });

  it('lists every problem of a broken file and exits 65', async () => {
    const file = join(dir.dir, 'two-problems.yaml');
    await writeFile(
      file,
      'version: 1\nrules:\n  - name: a\n    effect: deny\n  - name: b\n    effect: review\n    approvers: [ghosts]\n',
    );
    const result = await runCli(['policy', 'check', file]);
    expect(result.code).toBe(65);
    const problems = result.stdout.trim().split('\n');
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const line of problems) expect(line).toMatch(new RegExp(`^${file}:\\d+:\\d+ `));
  });

  it('shows expected and actual for a failing case and exits 1', async () => {
    const cases = join(dir.dir, 'cases.yaml');
    await writeFile(
      cases,
      'cases:\n  - name: drops are fine, surely\n    request: { action: db.dropTable, environment: prod, requester: "agent:x" }\n    expect: { effect: allow }\n',
    );
    const result = await runCli(['policy', 'test', join(ROOT, 'countersign.policy.yaml'), cases]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/drops are fine, surely/);
    expect(result.stdout).toMatch(/allow/);
    expect(result.stdout).toMatch(/deny/);
    expect(result.stderr).toMatch(/1 of 1 cases failed/);
  });
});

describe('audit verify', () => {
  it('exits 1 naming the first bad event after a row is edited in the database file', async () => {
    const local = { COUNTERSIGN_DB_URL: `file:${dir.dir}/tamper.db` };
    expect((await runCli(['init'], local)).code).toBe(0);
    for (const name of ['one', 'two', 'three']) {
      expect(
        (await runCli(['keys', 'create', '--agent', name, '--owner', 'a@example.com'], local)).code,
      ).toBe(0);
    }
    expect((await runCli(['audit', 'verify'], local)).code).toBe(0);
    const db = createClient({ url: local.COUNTERSIGN_DB_URL });
    await db.execute('DROP TRIGGER audit_events_no_update');
    await db.execute(`UPDATE audit_events SET data = replace(data, 'a@example.com', 'x') WHERE seq = 2`);
    await db.execute(`UPDATE audit_events SET actor = 'system:nobody' WHERE seq = 2`);
    db.close();
    const result = await runCli(['audit', 'verify'], local);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAILED verification at event 2: event 2 was altered/);
  });
});
