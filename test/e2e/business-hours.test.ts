import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { agentKey, useStack } from './fixtures/stack';
import { api } from './processes';

// Issue 16: "outside business hours" is a condition on `now` in a named time zone. The built server
// evaluates it on its own clock, so the policy is written around the time the test runs: a window
// holding now (and the next hour, so the test may cross one), and one six hours away. Tokyo is nine
// hours from UTC: a server that read the hour in UTC would miss the first window.
const zone = 'Asia/Tokyo';
const part = (at: Date, what: 'weekday' | 'hour') =>
  new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    ...(what === 'weekday' ? { weekday: 'short' } : { hour: 'numeric', hourCycle: 'h23' }),
  })
    .formatToParts(at)
    .find((p) => p.type === what)?.value ?? '';
const now = new Date();
const later = new Date(now.getTime() + 3_600_000);
const days = JSON.stringify([...new Set([part(now, 'weekday'), part(later, 'weekday')])]);
const hours = [...new Set([part(now, 'hour'), part(later, 'hour')])].map(Number);
const away = hours.map((h) => (h + 6) % 24);

const POLICY = `version: 1
groups:
  oncall: [olga@example.com]
rules:
  - name: not-now
    match: { action: "deploy.*" }
    when: 'hour(now, "${zone}") in ${JSON.stringify(away)}'
    effect: deny
    reason: a window six hours away
  - name: right-now
    match: { action: "deploy.*", environment: prod }
    when: |
      weekday(now, "${zone}") in ${days} &&
        hour(now, "${zone}") in ${JSON.stringify(hours)}
    effect: review
    approvers: [oncall]
    risk: critical
default: { effect: allow }
`;

const stack = useStack(POLICY);

describe('a business-hours condition on the server clock, in a named time zone', { timeout: 60_000 }, () => {
  it('holds a deploy inside the window now, and the window six hours away does not match', async () => {
    const key = await agentKey(stack, 'deployer');
    const sent = await api<ActionRequest>(stack.server.url, 'POST', '/v1/actions', key, {
      action: 'deploy.web',
      environment: 'prod',
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      status: 'pending',
      matched: { rule: 'right-now' },
      risk: 'critical',
      stepUp: 'mfa',
    });
    const staging = await api<ActionRequest>(stack.server.url, 'POST', '/v1/actions', key, {
      action: 'deploy.web',
      environment: 'staging',
    });
    expect(staging.body).toMatchObject({ status: 'allowed', matched: { rule: 'default' } });
  });
});
