// The CLI the tests, `npm start` and `pnpm countersign` run is the esbuild bundle (server/dist/cli).
// Files the sources find beside themselves must still be found from there: the migrations (or no
// database opens) and the default console pack (or the extension would silently hold nothing).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConsolePack } from '../../server/src/services/extension/load-console-pack';
import { api, CLI, lastLine, ROOT, runCli, startServe, tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

describe('the built CLI', () => {
  it('is plain JavaScript under server/dist, not the TypeScript sources', async () => {
    expect(CLI).toBe(join(ROOT, 'server', 'dist', 'cli', 'main.js'));
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: countersign COMMAND/);
  });

  it('finds the migrations and the default console pack from the bundle', async () => {
    // A policy with no console rules of its own: what the server serves is the pack alone.
    const policy = join(dir.dir, 'policy.yaml');
    await writeFile(policy, 'version: 1\nrules: []\ndefault: { effect: deny, reason: no }\n');
    const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db`, COUNTERSIGN_POLICY: policy };
    expect((await runCli(['init'], env)).code).toBe(0);
    const created = await runCli(['keys', 'create', '--agent', 'bot', '--owner', 'o@example.com'], env);
    expect(created.code, created.stderr).toBe(0);
    const server = await startServe(env);
    try {
      // What the sources load (tsx, here in the test process) is what the bundle must serve.
      const shipped = await loadConsolePack(undefined);
      expect(shipped.consoles.length).toBeGreaterThan(0);
      const rules = await api<{ version: string; consoles: { name: string }[] }>(
        server.url,
        'GET',
        '/v1/extension/rules',
        lastLine(created.stdout),
      );
      expect(rules.status).toBe(200);
      expect(rules.body.consoles.map((c) => c.name)).toEqual(shipped.consoles.map((c) => c.name));
    } finally {
      await server.stop();
    }
  });
});
