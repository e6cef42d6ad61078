import { describe, expect, it } from 'vitest';
import { serverForTest } from './harness';

type OutboxRow = { attempts: number; delivered: boolean; lastError: string | null };

describe('a webhook stored with a userinfo callbackUrl (before such submissions were refused)', () => {
  it('is abandoned at once with its reason kept, not retried', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_WEBHOOK_HOSTS: 'hooks.example.com' } });
    const agent = await t.agentKey('hook-bot', 'erin@example.com');
    const submitted = await t.call<{ id: string }>('POST', '/v1/actions', {
      key: agent,
      body: { action: 'deploy.run', callbackUrl: 'https://hooks.example.com/x' },
    });
    expect(submitted.status).toBe(201);
    const { id } = submitted.body;
    // As an older server stored it: submissions with userinfo are refused now, rows from before remain.
    const db = t.rawDb();
    await db.execute({
      sql: 'UPDATE actions SET callback_url = ? WHERE id = ?',
      args: ['https://user:secret@hooks.example.com/x', id],
    });
    expect((await t.call('POST', `/v1/actions/${id}/cancel`, { key: agent })).status).toBe(200);

    const row = async (): Promise<OutboxRow | undefined> => {
      const rs = await db.execute({
        sql: "SELECT attempts, delivered_at, last_error FROM outbox WHERE sink = 'webhook' AND action_id = ?",
        args: [id],
      });
      const [r] = rs.rows;
      return (
        r && {
          attempts: Number(r.attempts),
          delivered: r.delivered_at !== null,
          lastError: r.last_error === null ? null : String(r.last_error),
        }
      );
    };
    await expect.poll(row, { timeout: 8000 }).toMatchObject({ delivered: true });
    expect(await row()).toEqual({
      attempts: 0,
      delivered: true,
      lastError: 'abandoned: the callbackUrl carries userinfo (user:password@), which is never sent',
    });
  });
});
