import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './processes';

// Issue 16's "Done when": each feature has its policy-check errors and `policy test` support. The built
// CLI, as an operator runs it in CI, on one file holding a problem of each kind.
const BROKEN = `version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: free
    match: { action: "read.*" }
    effect: allow
    breakGlass: { notify: "#incidents", reviewWithin: 24h }
  - name: two-keys
    match: { action: "db.drop*" }
    effect: review
    approvers: [sre]
    minApprovals: 2
    standing: { max: 2d, uses: 5 }
  - name: fixes
    match: { action: "prod.*" }
    effect: review
    approvers: [sre]
    amend: "no"
    breakGlass: { notify: "#incidents", reviewWithin: 30d }
  - name: typed
    match: { action: "db.export" }
    when: params.rows > "many" && environment == 1
    effect: review
    approvers: [sre]
  - name: costly
    match: { action: "db.import" }
    when: params.a.exists(x, params.b.exists(y, x == y))
    effect: review
    approvers: [sre]
  - name: typo
    match: { action: "k8s.*" }
    when: '"sres" in requester.groups'
    effect: allow
`;

const GOOD = `version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: wipes
    match: { action: db.wipe }
    effect: review
    approvers: [sre]
    risk: critical
    amend: false
    breakGlass: { notify: "#incidents", reviewWithin: 24h }
  - name: reports
    match: { action: "reports.*" }
    effect: review
    approvers: [sre]
    standing: { max: 1h, uses: 20 }
  - name: sre-restarts
    match: { action: k8s.restart }
    when: '"sre" in requester.groups'
    effect: allow
default: { effect: deny, reason: no }
`;

const CASES = `cases:
  - name: a wipe is critical, unamendable, break-glass, MFA
    request: { action: db.wipe, requester: "agent:a" }
    expect: { effect: review, risk: critical, amend: false, breakGlass: true, standing: false, stepUp: mfa }
  - name: reports take standing approvals, no step-up
    request: { action: reports.q3, requester: "agent:a" }
    expect: { effect: review, standing: true, amend: true, breakGlass: false, stepUp: none }
  - name: an agent of an sre member restarts on its own (groups from the file)
    request: { action: k8s.restart, requester: "agent:a", owner: bob@example.com }
    expect: { effect: allow, rule: sre-restarts }
`;

describe('policy check and policy test for conditions and review options (built CLI)', {
  timeout: 60_000,
}, () => {
  let dir: { dir: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('policy check lists each problem at file:line:column and exits 65', async () => {
    const file = join(dir.dir, 'broken.yaml');
    await writeFile(file, BROKEN);
    const check = await runCli(['policy', 'check', file]);
    expect(check.code).toBe(65);
    const lines = check.stdout.trim().split('\n');
    for (const line of lines) expect(line).toMatch(new RegExp(`^${file}:\\d+:\\d+ `));
    const problems = lines.map((line) => line.slice(file.length + 1));
    expect(problems).toEqual([
      '8:5 rules[0].breakGlass: does not apply to effect allow',
      '14:5 rules[1].standing: standing approvals need a rule that one approval decides, and this one needs 2: one reviewer cannot stand in for a quorum on every later request',
      '14:22 rules[1].standing.max: a standing approval lasts at most 24h',
      '19:12 rules[2].amend: must be true or false',
      '20:55 rules[2].breakGlass.reviewWithin: a break-glass follow-up falls due at least 15m and at most 7d after it',
      '23:47 rules[3].when: cannot compare a string with a int (==)',
      '28:38 rules[4].when: a loop (exists, all, map, filter) inside another is not allowed: it costs too much',
      '33:12 rules[5].when: "sres" in requester.groups is never true: requester.groups holds this policy\'s groups, and "sres" is not one (did you mean "sre"? groups: sre)',
    ]);
  });

  it('policy test checks risk, amend, standing, breakGlass, stepUp and requester.groups, and shows a mismatch plainly', async () => {
    const policy = join(dir.dir, 'good.yaml');
    const cases = join(dir.dir, 'cases.yaml');
    await writeFile(policy, GOOD);
    await writeFile(cases, CASES);
    expect((await runCli(['policy', 'check', policy])).code).toBe(0);
    const passed = await runCli(['policy', 'test', policy, cases]);
    expect(passed.stdout).toMatch(/3 cases: 3 passed, 0 failed/);
    expect(passed.code).toBe(0);

    await writeFile(cases, CASES.replace('stepUp: mfa }', 'stepUp: none }'));
    const failed = await runCli(['policy', 'test', policy, cases]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      '+ actual    effect: review, rule: wipes, risk: critical, amend: false, standing: false, breakGlass: true, stepUp: mfa',
    );
  });
});
