import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors';
import { startTestServer, submit, type TestServer } from './harness';

const KELVIN_KIM = '\u212Aim@example.com';
const POLICY = `
version: 1
groups:
  sre: [kim@example.com]
default: { effect: review, approvers: [sre] }
`;

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ policy: POLICY });
});
afterEach(async () => {
  await t.stop();
});

const refusal = (run: Promise<unknown>) =>
  run.then(
    () => undefined,
    (error: unknown) => (error instanceof DomainError ? { code: error.code, message: error.message } : error),
  );

describe('key creation normalises the person it names, in the service verb', () => {
  it('refuses a Kelvin-sign user or agent owner as identity_unusable, never as kim', async () => {
    expect(await refusal(t.userKey(KELVIN_KIM))).toEqual({
      code: 'identity_unusable',
      message: expect.stringMatching(/^user: no usable identity: .*NFKC/),
    });
    expect(await refusal(t.agentKey('ops-bot', KELVIN_KIM))).toEqual({
      code: 'identity_unusable',
      message: expect.stringMatching(/^owner: no usable identity: /),
    });
    const rows = await t.rawDb().execute("SELECT principal FROM api_keys WHERE principal LIKE 'user:%'");
    expect(rows.rows).toEqual([]);
  });

  it('stores ASCII-case spellings as the one person, who then counts as the sre member', async () => {
    const kim = await t.userKey('  Kim@Example.COM ');
    const agent = await t.agentKey('ops-bot', 'Erin@Example.com');
    const req = await submit(t, agent, { action: 'terraform.apply' });
    expect(req.requester.owner).toBe('erin@example.com');
    const reviewed = await t.call<{ status: string }>('POST', `/v1/actions/${req.id}/reviews`, {
      key: kim,
      body: { decision: 'approve' },
    });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.status).toBe('approved');
  });
});
