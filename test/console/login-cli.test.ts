import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startTestServer, submit } from '../../server/test/harness';
import { ROOT, runCli, tempDir } from '../e2e/processes';
import { ConsoleClient } from './console-client';

describe('countersign login --user (the built CLI)', () => {
  it('prints a one-time link that signs the newcomer in once; they approve a held request (the shipped policy)', async () => {
    const { dir, remove } = await tempDir();
    try {
      const env = { COUNTERSIGN_DB_URL: `file:${dir}/countersign.db`, PORT: '8787' };
      expect((await runCli(['init'], env)).code).toBe(0);
      const issued = await runCli(['login', '--user', 'Me@Example.com'], env);
      expect(issued.code, issued.stderr).toBe(0);
      const [link = '', note = ''] = issued.stdout.trim().split('\n');
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:8787\/auth\/link\?token=[A-Za-z0-9_-]{43}$/);
      expect(note).toContain('me@example.com');
      const policy = await readFile(`${ROOT}countersign.policy.yaml`, 'utf8');
      const t = await startTestServer({ dir, policy });
      try {
        const token = new URL(link).searchParams.get('token') ?? '';
        const browser = new ConsoleClient(t);
        expect((await browser.post('/auth/link', { token })).status).toBe(303);
        expect((await browser.get('/')).text).toContain('me@example.com');
        expect((await new ConsoleClient(t).post('/auth/link', { token })).status).toBe(403);
        const held = await submit(t, await t.agentKey('deployer', 'carol@example.com'), {
          action: 'k8s.rollout.restart',
        });
        expect(held.status).toBe('pending');
        expect((await browser.get('/')).text).toContain(`/requests/${held.id}`);
        expect((await browser.post(`/requests/${held.id}/review`, { decision: 'approve' })).status).toBe(303);
        const after = await t.call<{ status: string }>('GET', `/v1/actions/${held.id}`, {
          key: await t.userKey('aud@example.com', ['audit:read']),
        });
        expect(after.body.status).toBe('approved');
      } finally {
        await t.stop({ keepDir: true });
      }
    } finally {
      await remove();
    }
  });

  it('refuses an address that cannot name a person', async () => {
    const { dir, remove } = await tempDir();
    try {
      expect((await runCli(['init'], { COUNTERSIGN_DB_URL: `file:${dir}/countersign.db` })).code).toBe(0);
      const result = await runCli(['login', '--user', 'not-an-email'], {
        COUNTERSIGN_DB_URL: `file:${dir}/countersign.db`,
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('no usable identity');
    } finally {
      await remove();
    }
  });
});
