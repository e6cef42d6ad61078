import { describe, expect, it } from 'vitest';
import { expectError, serverForTest } from '../../server/test/harness';

// A parameter a route does not take is a mistake to name, never a filter to drop: `GET /v1/actions?stauts=pending`
// answered every request before, as if the caller had asked for all of them. /v1/audit refused them already.
describe.concurrent('list and read endpoints refuse query parameters they do not take', () => {
  it('GET /v1/actions: 400 invalid_request naming the unknown parameter, the known ones still served', async (test) => {
    const t = await serverForTest(test);
    const agent = await t.agentKey('deployer', 'erin@example.com');
    for (const [query, field] of [
      ['stauts=pending', 'stauts'],
      ['status=pending&page=2', 'page'],
      ['limit=10&offset=20', 'offset'],
    ] as const) {
      const error = expectError(
        await t.call('GET', `/v1/actions?${query}`, { key: agent }),
        400,
        'invalid_request',
        query,
      );
      expect(
        error.details?.map((d) => d.path),
        query,
      ).toEqual([field]);
      expect(error.details?.[0]?.message, query).toBe('unknown field');
    }
    const known = await t.call('GET', '/v1/actions?status=pending&limit=10', { key: agent });
    expect(known.status).toBe(200);
  });

  it('GET /v1/actions/{id}: 400 naming an unknown parameter (a typo for `wait` would not wait)', async (test) => {
    const t = await serverForTest(test);
    const agent = await t.agentKey('deployer', 'erin@example.com');
    const submitted = await t.call<{ id: string }>('POST', '/v1/actions', {
      key: agent,
      body: { action: 'deploy.web' },
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    const error = expectError(
      await t.call('GET', `/v1/actions/${id}?wiat=5`, { key: agent }),
      400,
      'invalid_request',
    );
    expect(error.details?.map((d) => d.path)).toEqual(['wiat']);
    expect((await t.call('GET', `/v1/actions/${id}?wait=0`, { key: agent })).status).toBe(200);
  });
});
