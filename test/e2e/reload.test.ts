import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRequest } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, lastLine, ROOT, runCli, type ServeProcess, startServe, tempDir } from './processes';

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('SIGHUP reloads the policy', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let server: ServeProcess;
  let env: Record<string, string>;
  let policy: string;

  beforeAll(async () => {
    dir = await tempDir();
    policy = join(dir.dir, 'policy.yaml');
    await copyFile(join(ROOT, 'countersign.policy.yaml'), policy);
    env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db`, COUNTERSIGN_POLICY: policy };
    server = await startServe(env);
  });
  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('keeps the last good policy when the new file is broken, then takes the fixed one', async () => {
    const agent = lastLine(
      (await runCli(['keys', 'create', '--agent', 'ops-bot', '--owner', 'bob@example.com'], env)).stdout,
    );
    const auditor = lastLine(
      (await runCli(['keys', 'create', '--user', 'erin@example.com', '--scopes', 'audit:read'], env)).stdout,
    );
    const exportRule = async () =>
      (
        await api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
          action: 'db.export',
          resource: 'customers/x',
        })
      ).body.rule.name;
    expect(await exportRule()).toBe('customer-export');

    await writeFile(policy, 'version: 1\nrules:\n  - name: broken\n    effect: maybe\n');
    server.child.kill('SIGHUP');
    await waitFor(async () => {
      const events = await api<{ events: unknown[] }>(
        server.url,
        'GET',
        '/v1/audit?type=policy.rejected',
        auditor,
      );
      return events.body.events.length === 1;
    }, 'the rejected reload to be audited');
    expect(server.stderr()).toMatch(/policy reload refused/);
    expect(await exportRule()).toBe('customer-export');

    await writeFile(
      policy,
      'version: 1\nrules:\n  - name: everything-allowed\n    match: {}\n    effect: allow\n',
    );
    server.child.kill('SIGHUP');
    await waitFor(
      async () => (await exportRule()) === 'everything-allowed',
      'the fixed policy to take effect',
    );
    const loaded = await api<{ events: Array<{ data: { version: string } }> }>(
      server.url,
      'GET',
      '/v1/audit?type=policy.loaded',
      auditor,
    );
    expect(loaded.body.events).toHaveLength(2);
  });
});
