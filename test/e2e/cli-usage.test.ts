import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLine, runCli, tempDir } from './processes';

// Each CLI call is a real child process: a few seconds apiece on a busy machine.
const SLOW = 60_000;

let dir: { dir: string; remove(): Promise<void> };
let env: Record<string, string>;
beforeAll(async () => {
  dir = await tempDir();
  env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db` };
  expect((await runCli(['init'], env)).code).toBe(0);
});
afterAll(async () => {
  await dir?.remove();
});

describe('--help on every subcommand prints its usage and options and exits 0', () => {
  it.each([
    [['serve'], ['--port', '--host', '--policy', '--db']],
    [
      ['keys', 'create'],
      ['--agent', '--owner', '--user', '--scopes', '--label'],
    ],
    [['keys', 'list'], ['--json']],
    [['keys', 'revoke'], ['KEY_ID']],
    [
      ['audit', 'export'],
      ['--format', '--since', '--until', '--actor', '--action', '--type'],
    ],
    [['policy', 'check'], ['FILE']],
    [
      ['policy', 'test'],
      ['FILE', 'CASES'],
    ],
    [
      ['exec'],
      ['--action', '--resource', '--env', '--justification', '--param', 'Exit codes:', '77 ', '75 ', '69 '],
    ],
    [['mcp'], ['--name', '--heartbeat']],
  ])(
    '%o --help',
    async (command, mentions) => {
      const result = await runCli([...command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^Usage: countersign ${command.join(' ')} `));
      for (const word of mentions) expect(result.stdout).toContain(word);
    },
    SLOW,
  );
});

describe('an unknown option is one line naming it, exit 64', () => {
  it.each([
    [['serve', '--prot', '1']],
    [['keys', 'list', '--jsn']],
    [['keys', 'revoke', '--force', 'key_x']],
    [['policy', 'check', '--strict', 'x.yaml']],
    [['audit', 'verify', '--quick']],
    [['mcp', '--nmae', 'x', '--', 'true']],
  ])(
    '%o',
    async (args) => {
      const result = await runCli(args, env);
      expect(result.code).toBe(64);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Unknown option '--\w+'.*usage: countersign /);
    },
    SLOW,
  );
});

describe('keys list and keys revoke', () => {
  it(
    'lines the header up with the rows, shows the label, and says when a revoked key was revoked',
    async () => {
      const created = await runCli(
        [
          'keys',
          'create',
          '--agent',
          'ci-deployer',
          '--owner',
          'ops@example.com',
          '--label',
          'GitHub Actions',
        ],
        env,
      );
      expect(created.code).toBe(0);
      const id = /Created (key_\w+)/.exec(created.stdout)?.[1] ?? '';
      const reviewer = await runCli(
        ['keys', 'create', '--user', 'rita@example.com', '--scopes', 'reviews:write'],
        env,
      );
      expect(lastLine(reviewer.stdout)).toMatch(/^csk_/);

      const listed = (await runCli(['keys', 'list'], env)).stdout.trimEnd().split('\n');
      expect(listed).toHaveLength(3);
      const [header = '', ...rows] = listed;
      // LABEL is last, and empty for the reviewer: checked on the deployer's row below.
      for (const column of ['PRINCIPAL', 'SCOPES', 'CREATED', 'STATE']) {
        const at = header.indexOf(column);
        expect(at).toBeGreaterThan(0);
        // Every value starts exactly under its column's name.
        for (const row of rows) expect(row[at - 1]).toBe(' ');
        for (const row of rows) expect(row[at]).not.toBe(' ');
      }
      const deployer = rows.find((r) => r.startsWith(id)) ?? '';
      expect(deployer.slice(header.indexOf('PRINCIPAL'))).toMatch(/^agent:ci-deployer /);
      expect(deployer.slice(header.indexOf('LABEL'))).toBe('GitHub Actions');

      const first = await runCli(['keys', 'revoke', id], env);
      expect(first.code).toBe(0);
      const at = /Revoked key_\w+ at (\S+)\./.exec(first.stdout)?.[1];
      expect(at).toBeDefined();
      const again = await runCli(['keys', 'revoke', id], env);
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe(`${id} was already revoked at ${at}; nothing changed.`);
      const unknown = await runCli(['keys', 'revoke', 'key_nope'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/not_found: key key_nope not found/);
    },
    SLOW * 2,
  );
});

describe('policy check warnings and policy test files', () => {
  it(
    'warns, exit 0, about a shadowed rule and a Slack-only group while Slack is off',
    async () => {
      const file = join(dir.dir, 'shadowed.yaml');
      await writeFile(
        file,
        [
          'version: 1',
          'groups:',
          '  oncall: ["slack:@alice"]',
          'rules:',
          '  - { name: any-db, match: { action: "db.*" }, effect: review, approvers: [oncall] }',
          '  - { name: drops, match: { action: db.drop }, effect: deny, reason: never }',
          '',
        ].join('\n'),
      );
      const result = await runCli(['policy', 'check', file], { SLACK_BOT_TOKEN: '' });
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n')).toEqual([
        `${file}:3:3 groups.oncall: warning: every member is a slack:@handle, but Slack is not configured (SLACK_BOT_TOKEN is unset), so nobody can approve for this group`,
        `${file}:6:5 rules[1]: warning: rule "drops" can never match: the earlier rule "any-db" matches every request it does`,
        expect.stringMatching(
          new RegExp(`^${file}: ok \\(sha256:\\w+; 2 rules, 1 groups, 0 console rules\\); 2 warnings$`),
        ),
      ]);
    },
    SLOW,
  );

  it(
    'names the cases file and why it cannot be read',
    async () => {
      const missing = join(dir.dir, 'no-such-cases.yaml');
      const result = await runCli(['policy', 'test', 'countersign.policy.yaml', missing]);
      expect(result.code).toBe(65);
      expect(result.stderr.trim()).toBe(`${missing}: cannot read the cases file: no such file (ENOENT)`);
    },
    SLOW,
  );
});
