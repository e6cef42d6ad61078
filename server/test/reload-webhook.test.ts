import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, type TestContext } from 'vitest';
import { serverForTest, submit } from './harness';

const POLICY = (rules: string) => `version: 1
groups:
  ops: [bob@example.com, erin@example.com]
rules:
${rules}  - name: deploys
    match: { action: deploy.run }
    effect: review
    approvers: [ops]
default: { effect: deny, reason: not covered }
`;

type Received = { headers: IncomingHttpHeaders; body: { id: string; status: string } };

/** A callback receiver on 127.0.0.1 that keeps what it is sent. */
async function receiver(test: TestContext) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Received['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  test.onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { received, port: (server.address() as AddressInfo).port };
}

describe("a pending request's callbackUrl when a reload changes its rule", () => {
  it('is called when the reload blocks it, and not when the reload only re-binds it', async (test) => {
    const { received, port } = await receiver(test);
    const t = await serverForTest(test, {
      policy: POLICY(''),
      env: { COUNTERSIGN_WEBHOOK_HOSTS: `127.0.0.1:${port}` },
    });
    const [agent, admin] = await Promise.all([
      t.agentKey('hook-bot', 'alice@example.com'),
      t.userKey('root@example.com', ['admin']),
    ]);
    const reload = async (text: string) => {
      await t.writePolicy(text);
      expect((await t.call('POST', '/v1/admin/policy/reload', { key: admin })).status).toBe(200);
    };
    const callbackUrl = `http://127.0.0.1:${port}/hook`;
    const req = await submit(t, agent, { action: 'deploy.run', callbackUrl });

    await reload(POLICY('').replace('approvers: [ops]', 'approvers: [ops]\n    minApprovals: 2'));
    await sleep(1000);
    expect(received).toEqual([]);

    await reload(
      POLICY('  - name: freeze\n    match: { action: deploy.run }\n    effect: deny\n    reason: Frozen.\n'),
    );
    await expect.poll(() => received.length, { timeout: 8000 }).toBe(1);
    expect(received[0]?.body).toMatchObject({ id: req.id, status: 'blocked' });
    expect(received[0]?.headers['x-countersign-event']).toBe('action.rebound');
  });
});

describe("a request's callbackUrl when its requester breaks the glass", () => {
  it('is called once, with the request approved (a break-glass decides it as an approval does)', async (test) => {
    const { received, port } = await receiver(test);
    const t = await serverForTest(test, {
      policy: POLICY('').replace(
        'approvers: [ops]',
        'approvers: [ops]\n    breakGlass: { notify: ["#security"], reviewWithin: 24h }',
      ),
      env: { COUNTERSIGN_WEBHOOK_HOSTS: `127.0.0.1:${port}` },
    });
    const agent = await t.agentKey('hook-bot', 'alice@example.com');
    const req = await submit(t, agent, {
      action: 'deploy.run',
      callbackUrl: `http://127.0.0.1:${port}/hook`,
    });
    const broken = await t.call<{ status: string }>('POST', `/v1/actions/${req.id}/break-glass`, {
      key: agent,
      body: { reason: 'the database is down and customers cannot log in' },
    });
    expect(broken.body.status).toBe('approved');
    await expect.poll(() => received.length, { timeout: 8000 }).toBe(1);
    expect(received[0]?.body).toMatchObject({ id: req.id, status: 'approved' });
    expect(received[0]?.headers['x-countersign-event']).toBe('action.break_glass');
    await sleep(500);
    expect(received).toHaveLength(1);
  });
});
