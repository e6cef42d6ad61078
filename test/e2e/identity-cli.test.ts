import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './processes';

const KELVIN_KIM = '\u212Aim@example.com';

describe('countersign keys create refuses a look-alike email', () => {
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

  it.each([[['--user', KELVIN_KIM]], [['--agent', 'ops-bot', '--owner', KELVIN_KIM]]])(
    '%j exits non-zero naming the flag, and makes no key',
    async (args) => {
      const made = await runCli(['keys', 'create', ...args], env);
      expect(made.code).not.toBe(0);
      // The CLI passes on the schema's reason; the service verb refuses too (server/test/identity-emails).
      expect(made.stderr).toMatch(/--(user|owner)\b.*\u212Aim@example\.com.*no usable identity/);
      const listed = await runCli(['keys', 'list'], env);
      expect(listed.stdout).not.toMatch(/kim@example\.com/);
    },
  );

  it('stores Kim@Example.COM as kim@example.com', async () => {
    const made = await runCli(['keys', 'create', '--user', 'Kim@Example.COM'], env);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/user:kim@example\.com/);
  });
});
