import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execAgent, startExec, waitingLine } from './fixtures/exec-process';
import { pendingOf, type Stack, startStack, userKey } from './fixtures/stack';
import { api } from './processes';

const POLICY = `version: 1
groups:
  reviewers: [rita@example.com]
rules: []
default: { effect: review, approvers: [reviewers] }
`;

let stack: Stack;
let rita: string;
beforeAll(async () => {
  stack = await startStack(POLICY);
  rita = await userKey(stack, 'rita@example.com');
});
afterAll(async () => {
  await stack?.close();
});

// docs/agents.md says so: exec never runs a command with params other than the ones on its command
// line, so an approval with amended params stops it with 70, the command not run, the reason printed.
describe('countersign exec on an amended approval', () => {
  it('exits 70 without running the command, naming who amended it', async () => {
    const { key, env, marker, command } = await execAgent(stack);
    const exec = startExec(['--action', 'deploy.app', '--param', 'version=3', '--', ...command], env);
    await waitingLine(exec);
    const pending = await pendingOf(stack, key);
    const reviewed = await api(stack.server.url, 'POST', `/v1/actions/${pending.id}/reviews`, rita, {
      decision: 'approve',
      amend: { params: { version: 2 } },
    });
    expect(reviewed.status).toBe(200);
    expect(await exec.exited).toBe(70);
    expect(existsSync(marker)).toBe(false);
    expect(exec.stderr()).toContain('was approved with amended params by user:rita@example.com');
    // Said for a person at a terminal: what the reviewer approved instead, and how to ask for that.
    expect(exec.stderr()).toContain('the reviewer approved a changed action');
    expect(exec.stderr()).toContain('the approved params: {"version":2}');
    const rerun = /^countersign: to ask again with them: (.*)$/m.exec(exec.stderr())?.[1];
    expect(rerun).toMatch(/^countersign exec --action deploy\.app --param version=2 -- /);
    expect(rerun).toContain(process.execPath);
    expect(exec.stderr()).not.toContain('acceptAmended');
  });
});
