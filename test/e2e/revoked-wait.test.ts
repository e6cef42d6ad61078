import type { ActionRequest, ErrorBody } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

// A long-poll is authenticated when it starts and answered up to a minute later, possibly with a grant
// token: a key revoked from another process meanwhile must get nothing (shipped policy: db.export in
// prod waits for two data owners).
const SLOW = 60_000;
describe('a key revoked while its long-poll waits', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let server: ServeProcess;
  let env: Record<string, string>;
  let approvers: string[];

  const key = async (...args: string[]) => {
    const created = await runCli(['keys', 'create', ...args], env);
    expect(created.code).toBe(0);
    return lastLine(created.stdout);
  };
  const keyId = (token: string) => `key_${token.split('_')[1]}`;
  const submitHeld = async (agent: string) => {
    const submitted = await api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
      action: 'db.export',
      resource: 'customers/eu',
      environment: 'prod',
      justification: 'Quarterly revenue report',
    });
    expect(submitted.body.status).toBe('pending');
    return submitted.body.id;
  };

  beforeAll(async () => {
    dir = await tempDir();
    env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db` };
    server = await startServe(env);
    approvers = [
      await key('--user', 'carol@example.com', '--scopes', 'reviews:write'),
      await key('--user', 'dan@example.com', '--scopes', 'reviews:write'),
    ];
  }, SLOW);
  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it(
    'gets 401 unauthenticated, not the approval and its grant token, when approvers decide',
    async () => {
      const agent = await key('--agent', 'lp-bot', '--owner', 'bob@example.com');
      const id = await submitHeld(agent);
      const waiting = api<ActionRequest | ErrorBody>(server.url, 'GET', `/v1/actions/${id}?wait=30`, agent);
      expect((await runCli(['keys', 'revoke', keyId(agent)], env)).code).toBe(0);
      for (const approver of approvers)
        expect(
          (await api(server.url, 'POST', `/v1/actions/${id}/reviews`, approver, { decision: 'approve' }))
            .status,
        ).toBe(200);
      const answered = await waiting;
      expect(answered.status).toBe(401);
      expect(answered.body).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(JSON.stringify(answered.body)).not.toContain('grant');
    },
    SLOW,
  );

  it(
    'gets 401 when the wait runs out, and a plain read is refused too',
    async () => {
      const agent = await key('--agent', 'lp-bot-2', '--owner', 'bob@example.com');
      const id = await submitHeld(agent);
      const waiting = api<ActionRequest | ErrorBody>(server.url, 'GET', `/v1/actions/${id}?wait=10`, agent);
      expect((await runCli(['keys', 'revoke', keyId(agent)], env)).code).toBe(0);
      const answered = await waiting;
      expect(answered.status).toBe(401);
      expect(answered.body).toMatchObject({ error: { code: 'unauthenticated' } });
      expect((await api(server.url, 'GET', `/v1/actions/${id}`, agent)).status).toBe(401);
    },
    SLOW,
  );
});
