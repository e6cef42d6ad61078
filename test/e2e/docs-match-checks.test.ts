import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AuditCheckpoint } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './fixtures/stack';
import { ROOT, runCli, startServe, tempDir } from './processes';

// What a newcomer reads (--help, README) must say what the code enforces, and a refusal must name
// what they typed. Each case runs the built CLI as a child process, as an operator would.

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

const dbEnv = (name: string) => ({ COUNTERSIGN_DB_URL: `file:${join(dir.dir, name, 'countersign.db')}` });
// Unset whatever the test runner's own environment may carry: each case says what it configures.
const NO_IDP = {
  COUNTERSIGN_OIDC_ISSUER: '',
  COUNTERSIGN_OIDC_CLIENT_ID: '',
  COUNTERSIGN_OIDC_CLIENT_SECRET: '',
  COUNTERSIGN_PUBLIC_URL: '',
};

describe('keys create --help says the agent-name rule the check enforces', () => {
  it('names the same rule the refusal of Billing-Bot gives', async () => {
    const refused = await runCli(['keys', 'create', '--agent', 'Billing-Bot', '--owner', 'a@example.com']);
    expect(refused.code).toBe(64);
    const rule = /is not valid: (.+)$/m.exec(refused.stderr)?.[1];
    expect(rule).toMatch(/lower-case/);
    const help = await runCli(['keys', 'create', '--help']);
    // commander wraps long option descriptions: compare with the whitespace folded.
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`the agent's name: ${rule}`);
  });
});

describe('every variable env.ts reads is in README and in --help', () => {
  it('parses env.ts and finds each one in both', async () => {
    const source = await readFile(join(ROOT, 'server/src/env.ts'), 'utf8');
    const schema = source.slice(source.indexOf('z\n  .object({'), source.indexOf('.superRefine('));
    const variables = [...schema.matchAll(/^ {4}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1] ?? '');
    // A parse that found nothing would pass vacuously.
    expect(variables.length).toBeGreaterThan(30);
    expect(variables).toContain('COUNTERSIGN_METRICS_PORT');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const after = readme.slice(readme.indexOf('- **Environment**')).split('\n').slice(1);
    const end = after.findIndex((line) => line !== '' && !line.startsWith('  |'));
    const table = after.slice(0, end).join('\n');
    const help = (await runCli(['--help'])).stdout;
    const missing = (text: string) => variables.filter((name) => !new RegExp(`\\b${name}\\b`).test(text));
    expect(missing(table), 'missing from README.md\'s "Environment" table').toEqual([]);
    expect(missing(help), 'missing from countersign --help').toEqual([]);
  });
});

describe('audit verify --against <seq>:<hash>', () => {
  it('takes the head inline, as the API takes ?head=, and still names a file it cannot read', async () => {
    const env = dbEnv('inline-head');
    expect((await runCli(['init'], env)).code).toBe(0);
    expect((await runCli(['keys', 'create', '--agent', 'one', '--owner', 'a@example.com'], env)).code).toBe(
      0,
    );
    const printed = await runCli(['audit', 'checkpoint'], env);
    expect(printed.code, printed.stderr).toBe(0);
    const { seq, head } = JSON.parse(printed.stdout) as AuditCheckpoint;

    const inline = await runCli(['audit', 'verify', '--against', `${seq}:${head}`], env);
    expect(inline.stderr).toBe('');
    expect(inline.code).toBe(0);
    expect(inline.stdout).toMatch(/^audit log ok/);
    // A head this log never had is a failed verification, not a file that is missing.
    const wrong = await runCli(['audit', 'verify', '--against', `${seq}:${'a'.repeat(64)}`], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/FAILED verification/);

    const missing = await runCli(['audit', 'verify', '--against', join(dir.dir, 'no-such.json')], env);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/--against: cannot read .*no-such\.json: ENOENT/);
    // A file that is not a checkpoint suggests <seq>:<hash>, and that form is one that works.
    const junk = join(dir.dir, 'junk.txt');
    await writeFile(junk, 'hello');
    const bad = await runCli(['audit', 'verify', '--against', junk], env);
    expect(bad.stderr).toMatch(/or <seq>:<hash>/);
  });
});

describe('serve names what the operator typed', () => {
  it('a bad --policy is reported as --policy, the same file from the environment as COUNTERSIGN_POLICY', async () => {
    const missing = join(dir.dir, 'nonexistent.yaml');
    const byFlag = await runCli(['serve', '--port', '0', '--policy', missing], dbEnv('bad-policy'));
    expect(byFlag.code).toBe(78);
    expect(byFlag.stderr).toMatch(new RegExp(`^--policy: ${missing} is not a valid policy`, 'm'));
    expect(byFlag.stderr).not.toContain('COUNTERSIGN_POLICY');
    const byEnv = await runCli(['serve', '--port', '0'], {
      ...dbEnv('bad-policy'),
      COUNTERSIGN_POLICY: missing,
    });
    expect(byEnv.code).toBe(78);
    expect(byEnv.stderr).toMatch(new RegExp(`^COUNTERSIGN_POLICY: ${missing} is not a valid policy`, 'm'));
  });

  it('a --port in use is reported as --port', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const run = await runCli(['serve', '--port', String(port)], dbEnv('port-taken'));
      expect(run.code).toBe(78);
      expect(run.stderr).toMatch(new RegExp(`^--port: ${port} is already in use$`, 'm'));
      expect(run.stderr).not.toMatch(/^PORT:/m);
    } finally {
      taken.close();
    }
  });

  it('COUNTERSIGN_METRICS_PORT equal to PORT is said to be the same port', async () => {
    const run = await runCli(['serve'], {
      ...dbEnv('same-port'),
      PORT: '9316',
      COUNTERSIGN_METRICS_PORT: '9316',
    });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/^COUNTERSIGN_METRICS_PORT: is the same port as PORT \(9316\)/m);
    expect(run.stderr).not.toMatch(/already in use/);
  });
});

describe('a rule that needs a step-up this install cannot make', () => {
  const stepUpRule = (name: string, stepUp: string) => `  - name: ${name}
    match: { action: "${name}.*" }
    effect: review
    approvers: [ops]
    ${stepUp}
`;
  const policy = (...rules: string[]) => `version: 1
groups:
  ops: [olive@example.com]
rules:
${rules.join('')}`;

  it('policy check warns, naming the rule, for the example policy on a plain install', async () => {
    const plain = await runCli(['policy', 'check', 'countersign.policy.yaml'], {
      ...NO_IDP,
      ...dbEnv('check'),
    });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(
      /warning: rule "prod-deploys-after-hours" needs an MFA step-up \(risk: critical\) on every approval and break-glass, but no identity provider is configured/,
    );
    const withIdp = await runCli(['policy', 'check', 'countersign.policy.yaml'], {
      ...dbEnv('check'),
      COUNTERSIGN_OIDC_ISSUER: 'https://idp.example.com',
      COUNTERSIGN_OIDC_CLIENT_ID: 'countersign',
      COUNTERSIGN_PUBLIC_URL: 'https://countersign.example.com',
    });
    expect(withIdp.code, withIdp.stderr).toBe(0);
    expect(withIdp.stdout).not.toMatch(/needs an MFA step-up/);
  });

  it('policy check warns about a passkey rule until the console has a public URL', async () => {
    const file = join(dir.dir, 'passkey.yaml');
    await writeFile(
      file,
      policy(stepUpRule('vault', 'stepUp: passkey'), stepUpRule('plain', 'stepUp: none')),
    );
    const plain = await runCli(['policy', 'check', file], { ...NO_IDP, ...dbEnv('check') });
    expect(plain.stdout).toMatch(/warning: rule "vault" needs a passkey step-up \(stepUp: passkey\)/);
    expect(plain.stdout).not.toMatch(/rule "plain"/);
    const withUrl = await runCli(['policy', 'check', file], {
      ...NO_IDP,
      ...dbEnv('check'),
      COUNTERSIGN_PUBLIC_URL: 'https://countersign.example.com',
    });
    expect(withUrl.stdout).not.toMatch(/needs a passkey step-up/);
  });

  it('the server warns at start-up and again on reload, naming each rule', async () => {
    const file = join(dir.dir, 'served.yaml');
    await writeFile(file, policy(stepUpRule('payroll', 'risk: critical')));
    const server = await startServe({ ...NO_IDP, ...dbEnv('served'), COUNTERSIGN_POLICY: file });
    try {
      await eventually(
        () => /rule \\"payroll\\" needs an MFA step-up/.test(server.stderr()) || undefined,
        'the start-up warning',
      );
      await writeFile(
        file,
        policy(stepUpRule('payroll', 'risk: critical'), stepUpRule('vault', 'stepUp: passkey')),
      );
      server.child.kill('SIGHUP');
      await eventually(
        () => /rule \\"vault\\" needs a passkey step-up/.test(server.stderr()) || undefined,
        'the reload warning',
      );
    } finally {
      await server.stop();
    }
  });
});
