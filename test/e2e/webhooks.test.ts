import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ActionRequest } from '@countersign/shared';
import { verifyWebhook } from '@countersign/shared/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

type Received = { headers: IncomingHttpHeaders; body: string };

/** A real HTTP receiver on 127.0.0.1 that answers `failFirst` requests with 500, then 204. */
async function receiver(failFirst = 0, port = 0) {
  const received: Received[] = [];
  let attempts = 0;
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d;
    });
    req.on('end', () => {
      attempts += 1;
      if (attempts <= failFirst) {
        res.writeHead(500).end();
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/countersign`,
    port: (server.address() as AddressInfo).port,
    received,
    attempts: () => attempts,
    next: (timeoutMs = 15_000) =>
      new Promise<Received>((resolve, reject) => {
        if (received.length > 0) return resolve(received[received.length - 1] as Received);
        const timer = setTimeout(() => reject(new Error('no webhook arrived')), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(received[received.length - 1] as Received);
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let dir: { dir: string; remove(): Promise<void> };
let env: Record<string, string>;
let server: ServeProcess | undefined;

beforeEach(async () => {
  dir = await tempDir();
  const policy = join(dir.dir, 'policy.yaml');
  await writeFile(
    policy,
    'version: 1\ngroups: { ops: [rita@example.com] }\nrules:\n  - { name: held, match: { action: "deploy.*" }, effect: review, approvers: [ops] }\n',
  );
  env = {
    COUNTERSIGN_DB_URL: `file:${dir.dir}/db.sqlite`,
    COUNTERSIGN_POLICY: policy,
    COUNTERSIGN_WEBHOOK_HOSTS: '127.0.0.1:*',
  };
  expect((await runCli(['init'], env)).code).toBe(0);
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await dir.remove();
});

async function keys() {
  const created = await runCli(
    ['keys', 'create', '--agent', 'deployer', '--owner', 'owner@example.com'],
    env,
  );
  const secret = /signed with (whsec_\S+)/.exec(created.stdout)?.[1] ?? '';
  const reviewer = lastLine(
    (await runCli(['keys', 'create', '--user', 'rita@example.com', '--scopes', 'reviews:write'], env)).stdout,
  );
  return { agent: lastLine(created.stdout), secret, reviewer };
}

describe('webhooks', () => {
  it('posts the settled request to its callbackUrl, signed with the key’s secret, retrying after 500s', async () => {
    const hook = await receiver(2);
    server = await startServe(env);
    const { agent, secret, reviewer } = await keys();
    expect(secret).toMatch(/^whsec_/);
    const submitted = await api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
      action: 'deploy.web',
      callbackUrl: hook.url,
    });
    expect(submitted.status).toBe(201);
    await api(server.url, 'POST', `/v1/actions/${submitted.body.id}/reviews`, reviewer, {
      decision: 'approve',
    });

    const delivery = await hook.next();
    expect(hook.attempts()).toBe(3); // two 500s, then the delivery that stuck
    await expect(
      verifyWebhook({ secret, body: delivery.body, headers: delivery.headers as Record<string, string> }),
    ).resolves.toBeDefined();
    await expect(
      verifyWebhook({
        secret: `${secret}x`,
        body: delivery.body,
        headers: delivery.headers as Record<string, string>,
      }),
    ).rejects.toThrow();
    const body = JSON.parse(delivery.body) as ActionRequest;
    expect(body).toMatchObject({ id: submitted.body.id, status: 'approved' });
    expect(body.grant).toBeUndefined(); // a webhook never carries the grant token
    expect(delivery.headers['x-countersign-event']).toBe('action.approved');
    await hook.close();
  });

  it('delivers a decision made while the receiver was down, after a server restart', async () => {
    const probe = await receiver();
    const port = probe.port;
    await probe.close(); // the receiver is down: deliveries fail and wait in the outbox
    server = await startServe(env);
    const { agent, reviewer } = await keys();
    const callbackUrl = `http://127.0.0.1:${port}/hooks/countersign`;
    const submitted = await api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
      action: 'deploy.api',
      callbackUrl,
    });
    await api(server.url, 'POST', `/v1/actions/${submitted.body.id}/reviews`, reviewer, {
      decision: 'deny',
      comment: 'not today',
    });
    await new Promise((r) => setTimeout(r, 300));
    await server.stop();

    const hook = await receiver(0, port);
    server = await startServe(env);
    const delivery = await hook.next(20_000);
    expect(JSON.parse(delivery.body)).toMatchObject({
      id: submitted.body.id,
      status: 'denied',
      reason: 'not today',
    });
    await hook.close();
  });

  it('refuses a callbackUrl whose host is not allowed, or that is not http(s)', async () => {
    server = await startServe(env);
    const { agent } = await keys();
    for (const callbackUrl of [
      'http://169.254.169.254/latest/meta-data',
      'https://evil.example.com/x',
      'ftp://127.0.0.1/x',
    ]) {
      const reply = await api<{ error: { code: string; details: Array<{ path: string }> } }>(
        server.url,
        'POST',
        '/v1/actions',
        agent,
        {
          action: 'deploy.x',
          callbackUrl,
        },
      );
      expect(reply.status).toBe(400);
      expect(reply.body.error.details.map((d) => d.path)).toContain('callbackUrl');
    }
  });
});
