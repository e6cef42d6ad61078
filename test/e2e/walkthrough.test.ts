import type { ActionRequest } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

// The README's five-minute walk-through, run as real processes against the shipped example policy.
// Each test starts eight or so CLI processes of a few seconds each: more than the default 20 s.
const WALK = 120_000;
describe('the README walk-through', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let server: ServeProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await tempDir();
    env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db` };
    server = await startServe(env);
  });
  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it(
    'creates keys, holds an export for two data owners, redeems the grant once, and verifies the log',
    async () => {
      const created = await runCli(
        ['keys', 'create', '--agent', 'billing-bot', '--owner', 'alice@example.com'],
        env,
      );
      expect(created.code).toBe(0);
      const agent = lastLine(created.stdout);
      expect(agent).toMatch(/^csk_/);
      const carol = lastLine(
        (await runCli(['keys', 'create', '--user', 'carol@example.com', '--scopes', 'reviews:write'], env))
          .stdout,
      );
      const dan = lastLine(
        (await runCli(['keys', 'create', '--user', 'dan@example.com', '--scopes', 'reviews:write'], env))
          .stdout,
      );
      const auditor = lastLine(
        (await runCli(['keys', 'create', '--user', 'erin@example.com', '--scopes', 'audit:read'], env))
          .stdout,
      );

      const submitted = await api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
        action: 'db.export',
        resource: 'customers/eu',
        environment: 'prod',
        justification: 'Quarterly revenue report',
      });
      expect(submitted.status).toBe(201);
      expect(submitted.body).toMatchObject({
        status: 'pending',
        rule: { name: 'customer-export' },
        approvals: { required: 2 },
      });
      const id = submitted.body.id;

      expect(
        (await api(server.url, 'POST', `/v1/actions/${id}/reviews`, carol, { decision: 'approve' })).status,
      ).toBe(200);
      const waiting = api<ActionRequest>(server.url, 'GET', `/v1/actions/${id}?wait=30`, agent);
      expect(
        (
          await api(server.url, 'POST', `/v1/actions/${id}/reviews`, dan, {
            decision: 'approve',
            comment: 'ok',
          })
        ).status,
      ).toBe(200);
      const decided = await waiting;
      expect(decided.body.status).toBe('approved');
      const token = decided.body.grant?.token;
      expect(token).toBeDefined();

      const redeem = { token, digest: decided.body.digest };
      expect((await api(server.url, 'POST', '/v1/grants/redeem', agent, redeem)).body).toMatchObject({
        ok: true,
        actionId: id,
      });
      expect((await api(server.url, 'POST', '/v1/grants/redeem', agent, redeem)).status).toBe(409);

      const verify = await runCli(['audit', 'verify'], env);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/^audit log ok: \d+ events/);
      expect((await api<{ ok: boolean }>(server.url, 'GET', '/v1/audit/verify', auditor)).body.ok).toBe(true);

      const csv = await runCli(['audit', 'export', '--format', 'csv', '--type', 'grant.redeemed'], env);
      expect(csv.code).toBe(0);
      const rows = csv.stdout.trim().split('\n');
      expect(rows[0]).toBe('seq,at,type,actor,subject,data,prevHash,hash');
      expect(rows).toHaveLength(2);
      expect(rows[1]).toContain(id);
    },
    WALK,
  );

  it(
    'lists and revokes keys, and a revoked key is refused at once by the running server',
    async () => {
      const created = await runCli(
        ['keys', 'create', '--agent', 'temp-bot', '--owner', 'bob@example.com'],
        env,
      );
      const key = lastLine(created.stdout);
      const id = /Created (key_\w+)/.exec(created.stdout)?.[1] ?? '';
      expect((await api(server.url, 'GET', '/v1/actions', key)).status).toBe(200);
      const listed = await runCli(['keys', 'list'], env);
      expect(listed.stdout).toMatch(new RegExp(`${id} +agent:temp-bot +actions:write`));
      expect(listed.stdout).not.toContain(key);
      expect((await runCli(['keys', 'revoke', id], env)).code).toBe(0);
      expect((await api(server.url, 'GET', '/v1/actions', key)).status).toBe(401);
    },
    WALK,
  );
});
