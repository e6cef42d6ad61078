import { describe, expect, it } from 'vitest';
import { review, reviewPolicy, serverForTest, submit } from './harness';

// What the request path tells the rest of the process, so that nothing re-reads to find out: the
// waiters of a request and the outbox deliverers (issue 11).
describe.concurrent('the request path’s signals', () => {
  it('says a review that decided the request settled it, and one that did not, not', async (test) => {
    const t = await serverForTest(test, {
      policy: reviewPolicy(['bob@example.com', 'carol@example.com'], { minApprovals: 2 }),
    });
    const agent = await t.agentKey('deploy-bot', 'alice@example.com');
    const [bob, carol] = await Promise.all(
      ['bob@example.com', 'carol@example.com'].map((email) => t.userKey(email, ['reviews:write'])),
    );
    const req = await submit(t, agent, { action: 'deploy.run' });
    const heard: boolean[] = [];
    const off = t.server.core.events.on(req.id, (_, settled) => heard.push(settled));
    test.onTestFinished(off);
    expect((await review(t, bob ?? '', req.id, 'approve')).body.status).toBe('pending');
    expect((await review(t, carol ?? '', req.id, 'approve')).body.status).toBe('approved');
    // The waiter answers on `settled` at once; on a bare change it reads the request to find out.
    expect(heard).toEqual([false, true]);
  });
});
