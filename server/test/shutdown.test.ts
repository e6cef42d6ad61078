import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { startTestServer, submit } from './harness';

describe('a graceful shutdown', () => {
  it('answers waiting long-polls with the request as it stands (200, still pending) before closing', async () => {
    const t = await startTestServer();
    const agent = await t.agentKey('deployer', 'owner@example.com');
    const req = await submit(t, agent, { action: 'deploy.web', resource: 'web', environment: 'prod' });
    const waits = [1, 2, 3].map(() =>
      t.call<ActionRequest>('GET', `/v1/actions/${req.id}?wait=60`, { key: agent }),
    );
    // Every long-poll is parked on its change event before the server is asked to stop.
    while (t.server.core.events.waiting() < waits.length) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await t.stop();
    for (const reply of await Promise.all(waits)) {
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: req.id, status: 'pending' });
    }
    // Answered at once, not held for the wait's minute nor the keep-alive timeout.
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
