import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRequest } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, lastLine, runCli, type ServeProcess, startServe, tempDir } from './processes';

// Issue 16: a rule that reads the action. The server runs as an operator runs it (the built CLI).
const POLICY = `version: 1
environments: [prod, staging]
groups:
  data-owners: [dana@example.com]
rules:
  - name: pii-to-unknown-bucket
    match: { action: aws.s3.PutObject, environment: prod }
    when: 'params.pii == true && !params.bucket.endsWith(".corp-internal")'
    effect: review
    approvers: [data-owners]
    risk: high
  - name: big-export
    match: { action: db.export }
    when: params.rows > 10000
    effect: review
    approvers: [data-owners]
    risk: critical
default: { effect: allow, risk: low }
`;

describe('policy conditions over a real server process', { timeout: 120_000 }, () => {
  let dir: { dir: string; remove(): Promise<void> };
  let server: ServeProcess;
  let env: Record<string, string>;
  let agent: string;
  let auditor: string;

  beforeAll(async () => {
    dir = await tempDir();
    const policy = join(dir.dir, 'policy.yaml');
    await writeFile(policy, POLICY);
    env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db`, COUNTERSIGN_POLICY: policy };
    server = await startServe(env);
    agent = lastLine(
      (await runCli(['keys', 'create', '--agent', 'etl', '--owner', 'olga@example.com'], env)).stdout,
    );
    auditor = lastLine(
      (await runCli(['keys', 'create', '--user', 'erin@example.com', '--scopes', 'audit:read,admin'], env))
        .stdout,
    );
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
  });

  const put = (params: Record<string, unknown>) =>
    api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
      action: 'aws.s3.PutObject',
      resource: 'exports/customers.csv',
      environment: 'prod',
      params,
    });

  it('holds only what the condition names, and says why: matched {rule, condition} and risk', async () => {
    const held = await put({ pii: true, bucket: 'dump.example.com' });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({
      status: 'pending',
      rule: { name: 'pii-to-unknown-bucket', effect: 'review' },
      matched: {
        rule: 'pii-to-unknown-bucket',
        condition: 'params.pii == true && !params.bucket.endsWith(".corp-internal")',
      },
      risk: 'high',
    });
    const read = await api<ActionRequest>(server.url, 'GET', `/v1/actions/${held.body.id}`, agent);
    expect(read.body).toMatchObject({ matched: held.body.matched, risk: 'high' });

    const internal = await put({ pii: true, bucket: 'lake.corp-internal' });
    expect(internal.body).toMatchObject({ status: 'allowed', matched: { rule: 'default' }, risk: 'low' });
    expect(internal.body.matched.condition).toBeUndefined();

    const events = await api<{ events: Array<{ data: Record<string, unknown> }> }>(
      server.url,
      'GET',
      `/v1/audit?type=action.submitted`,
      auditor,
    );
    const submitted = events.body.events.find((e) => e.data.id === held.body.id);
    // The event records the request as the API showed it (docs/audit.md): the same `matched`.
    expect(submitted?.data).toMatchObject({ matched: held.body.matched, risk: 'high' });
  });

  it('fails closed when a condition cannot be read: held, logged and counted', async () => {
    const missing = await put({ pii: true });
    expect(missing.body).toMatchObject({ status: 'pending', matched: { rule: 'pii-to-unknown-bucket' } });
    const strings = await api<ActionRequest>(server.url, 'POST', '/v1/actions', agent, {
      action: 'db.export',
      params: { rows: 'all of them' },
    });
    expect(strings.body).toMatchObject({ status: 'pending', rule: { name: 'big-export' }, risk: 'critical' });
    // The logger writes asynchronously: give the line a moment to reach stderr.
    const logged = /"rule":"big-export".*a policy condition could not be evaluated/;
    for (let i = 0; i < 50 && !logged.test(server.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(server.stderr()).toMatch(logged);
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${auditor}` } });
    const text = await metrics.text();
    expect(text).toMatch(/countersign_policy_condition_errors_total\{rule="pii-to-unknown-bucket"\} 1/);
    expect(text).toMatch(/countersign_policy_condition_errors_total\{rule="big-export"\} 1/);
  });

  it('policy check names a condition problem at file:line:column; policy test runs condition cases', async () => {
    const bad = join(dir.dir, 'bad.yaml');
    await writeFile(bad, POLICY.replace('params.rows > 10000', 'parms.rows > 10000'));
    const check = await runCli(['policy', 'check', bad]);
    expect(check.code).toBe(65);
    expect(check.stdout).toContain(
      `${bad}:14:11 rules[1].when: unknown name "parms" (did you mean "params"?)`,
    );

    const good = join(dir.dir, 'good.yaml');
    await writeFile(good, POLICY);
    const cases = join(dir.dir, 'cases.yaml');
    await writeFile(
      cases,
      [
        'cases:',
        '  - name: a big export waits for the data owners',
        '    request: { action: db.export, requester: "agent:etl", params: { rows: 20000 } }',
        '    expect: { effect: review, rule: big-export, risk: critical, condition: "params.rows > 10000" }',
        '  - name: a small export goes through',
        '    request: { action: db.export, requester: "agent:etl", params: { rows: 5 } }',
        '    expect: { effect: allow, rule: default }',
        '',
      ].join('\n'),
    );
    const passed = await runCli(['policy', 'test', good, cases]);
    expect(passed.stdout).toMatch(/2 cases: 2 passed, 0 failed/);
    expect(passed.code).toBe(0);
  });
});
