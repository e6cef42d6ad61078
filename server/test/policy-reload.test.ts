import { rm } from 'node:fs/promises';
import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it, type TestContext } from 'vitest';
import { auditEvents, expectError, reviewPolicy, serverForTest, submit, type TestServer } from './harness';

type Reloaded = { version: string; previousVersion: string; changed: boolean; rules: number };

const BEFORE = reviewPolicy(['bob@example.com']);
// The same file with deploys now allowed outright.
const AFTER = BEFORE.replace(
  'rules:\n',
  'rules:\n  - name: deploys-are-free\n    match: { action: "deploy.*" }\n    effect: allow\n',
);

// Line 5: an unknown effect; line 10: a duration that is not one. Both must be reported.
const INVALID = `version: 1
rules:
  - name: r1
    match: { action: "deploy.*" }
    effect: maybe
  - name: r2
    match: { action: "db.*" }
    effect: deny
    reason: no
    timeout: soon
`;

async function seed(test: TestContext) {
  const t = await serverForTest(test, { policy: BEFORE });
  const [agent, admin, auditor] = await Promise.all([
    t.agentKey('deploy-bot', 'alice@example.com'),
    t.userKey('root@example.com', ['admin']),
    t.userKey('audra@example.com', ['audit:read']),
  ]);
  const reload = () => t.call<Reloaded>('POST', '/v1/admin/policy/reload', { key: admin });
  const version = async () => (await t.call<{ policyVersion: string }>('GET', '/readyz')).body.policyVersion;
  return { t, agent, auditor, reload, version };
}

const reread = async (t: TestServer, key: string, id: string) =>
  (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key })).body;

describe('reloading a valid, changed policy', () => {
  it('answers 200 with the new version, changed: true, and new submissions follow the new rules', async (test) => {
    const { t, agent, reload, version } = await seed(test);
    const oldVersion = await version();
    const before = await submit(t, agent, { action: 'deploy.run' });
    expect(before.status).toBe('pending');

    await t.writePolicy(AFTER);
    const reply = await reload();
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      version: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
      previousVersion: oldVersion,
      changed: true,
      rules: 3,
    });
    expect(reply.body.version).not.toBe(oldVersion);
    expect(await version()).toBe(reply.body.version);

    const after = await submit(t, agent, { action: 'deploy.run' });
    expect(after.status).toBe('allowed');
    expect(after.rule).toEqual({ name: 'deploys-are-free', effect: 'allow' });
  });

  it('records on each request the policy version that decided it', async (test) => {
    const { t, agent, reload, version } = await seed(test);
    const oldVersion = await version();
    const before = await submit(t, agent, { action: 'deploy.run' });
    expect(before.policyVersion).toBe(oldVersion);
    await t.writePolicy(AFTER);
    const newVersion = (await reload()).body.version;
    const after = await submit(t, agent, { action: 'deploy.run' });
    expect(after.policyVersion).toBe(newVersion);
    expect((await reread(t, agent, before.id)).policyVersion).toBe(oldVersion);
  });

  it('audits policy.loaded by the admin with the new version', async (test) => {
    const { t, auditor, reload } = await seed(test);
    await t.writePolicy(AFTER);
    const { version } = (await reload()).body;
    const loaded = await auditEvents(t, auditor, 'type=policy.loaded');
    expect(loaded.map((e) => [e.actor, e.data.version])).toEqual([
      ['system:server', expect.stringMatching(/^sha256:/)],
      ['user:root@example.com', version],
    ]);
  });

  it('answers changed: false for an unchanged file and audits no second load', async (test) => {
    const { t, auditor, reload, version } = await seed(test);
    const reply = await reload();
    expect(reply.status).toBe(200);
    expect(reply.body.changed).toBe(false);
    expect(reply.body.version).toBe(await version());
    expect(await auditEvents(t, auditor, 'type=policy.loaded')).toHaveLength(1);
  });
});

describe('reloading an invalid policy', () => {
  it('answers 400 invalid_request listing each problem as file:line:column', async (test) => {
    const { t, reload } = await seed(test);
    await t.writePolicy(INVALID);
    const error = expectError(await reload(), 400, 'invalid_request');
    const details = error.details ?? [];
    for (const detail of details) {
      expect(detail.path).toMatch(/:\d+:\d+$/);
      expect(detail.path.startsWith(`${t.policyFile}:`)).toBe(true);
      expect(detail.message.length).toBeGreaterThan(0);
    }
    // Each problem points at the offending value itself: `maybe` and `soon`.
    const paths = details.map((d) => d.path);
    expect(paths).toContain(`${t.policyFile}:5:13`);
    expect(paths).toContain(`${t.policyFile}:10:14`);
  });

  it('keeps enforcing the previous policy, as a submission proves', async (test) => {
    const { t, agent, reload, version } = await seed(test);
    const oldVersion = await version();
    // Valid YAML that a reader could mistake for a harmless edit, with one bad key: it must not load.
    await t.writePolicy(AFTER.replace('effect: allow\n', 'effect: allow\n    aprovers: [sre]\n'));
    expectError(await reload(), 400, 'invalid_request');
    const req = await submit(t, agent, { action: 'deploy.run' });
    expect(req.status).toBe('pending');
    expect(req.rule.name).toBe('needs-review');
    expect(req.policyVersion).toBe(oldVersion);
    expect(await version()).toBe(oldVersion);
  });

  it('audits policy.rejected naming the version still in force', async (test) => {
    const { t, auditor, reload, version } = await seed(test);
    await t.writePolicy(INVALID);
    expectError(await reload(), 400, 'invalid_request');
    const rejected = await auditEvents(t, auditor, 'type=policy.rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.actor).toBe('user:root@example.com');
    expect(rejected[0]?.data.kept).toBe(await version());
  });

  it('refuses a file that is not YAML, or is gone, the same way', async (test) => {
    const { t, agent, reload } = await seed(test);
    await t.writePolicy('version: 1\nrules: [\n  - {name: x');
    const yamlError = expectError(await reload(), 400, 'invalid_request');
    expect(yamlError.details?.[0]?.path).toMatch(/:\d+:\d+$/);
    await rm(t.policyFile);
    const goneError = expectError(await reload(), 400, 'invalid_request');
    expect(goneError.details?.[0]?.path).toMatch(/:\d+:\d+$/);
    expect((await submit(t, agent, { action: 'deploy.run' })).status).toBe('pending');
  });

  it('loads a corrected file after a refused one', async (test) => {
    const { t, agent, reload } = await seed(test);
    await t.writePolicy(INVALID);
    expectError(await reload(), 400, 'invalid_request');
    await t.writePolicy(AFTER);
    const reply = await reload();
    expect(reply.status).toBe(200);
    expect(reply.body.changed).toBe(true);
    expect((await submit(t, agent, { action: 'deploy.run' })).status).toBe('allowed');
  });
});
