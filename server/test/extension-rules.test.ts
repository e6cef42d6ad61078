import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness';

const POLICY_WITH_CONSOLES = `
version: 1
rules:
  - { name: everything, match: {}, effect: allow }
consoles:
  - name: aws-s3-delete-bucket-proxy
    match: { method: POST, url: "https://:region.console.aws.amazon.com/s3/proxy", body: { operation: deleteBucket } }
    action: custom.s3.DeleteBucket
  - name: our-own-console
    match: { method: DELETE, url: "https://admin.example.com/api/users/:id" }
    action: internal.users.delete
    resource: "users/{id}"
`;

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
});

type Rules = { version: string; consoles: Array<{ name: string; action: string }> };

describe('the console rules served to extensions', () => {
  it("puts the policy's own rules first and lets them override pack entries by name", async () => {
    t = await startTestServer({ policy: POLICY_WITH_CONSOLES });
    const key = await t.agentKey('any', 'o@example.com');
    const { body } = await t.call<Rules>('GET', '/v1/extension/rules', { key });
    expect(body.consoles.slice(0, 2).map((c) => c.name)).toEqual([
      'aws-s3-delete-bucket-proxy',
      'our-own-console',
    ]);
    expect(body.consoles.filter((c) => c.name === 'aws-s3-delete-bucket-proxy')).toEqual([
      expect.objectContaining({ action: 'custom.s3.DeleteBucket' }),
    ]);
    expect(body.consoles.length).toBeGreaterThan(20); // the rest of the default pack follows
  });

  it('serves only the policy’s rules with COUNTERSIGN_CONSOLE_PACK=none, under another version', async () => {
    t = await startTestServer({ policy: POLICY_WITH_CONSOLES });
    const key = await t.agentKey('any', 'o@example.com');
    const withPack = (await t.call<Rules>('GET', '/v1/extension/rules', { key })).body;
    await t.stop();
    t = await startTestServer({ policy: POLICY_WITH_CONSOLES, env: { COUNTERSIGN_CONSOLE_PACK: 'none' } });
    const key2 = await t.agentKey('any', 'o@example.com');
    const bare = (await t.call<Rules>('GET', '/v1/extension/rules', { key: key2 })).body;
    expect(bare.consoles.map((c) => c.name)).toEqual(['aws-s3-delete-bucket-proxy', 'our-own-console']);
    expect(bare.version).not.toBe(withPack.version);
  });
});
