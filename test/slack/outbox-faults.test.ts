import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import type { RecordedCall } from '../slack-emulator';
import { expectNoFailedSlackCalls, outboxDrained, postedMessage, postsOf } from './slack-flows';
import { useSlackTest } from './slack-harness';

const s = useSlackTest();

const injected = (c: RecordedCall) =>
  c.method === 'chat.postMessage' && (c.status === 500 || c.status === 429);

async function timedSubmit(key: string, action: string) {
  const started = performance.now();
  const request = await submit(s.t, key, { action, environment: 'prod' }); // throws unless 201
  return { request, ms: performance.now() - started };
}

describe('the Slack outbox when Slack fails', () => {
  it('survives 500s then a 429: the API stays fast, Retry-After is honoured, each message arrives exactly once', async () => {
    s.slack.failNext('chat.postMessage', { status: 500 }, 3);
    s.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const agent = await s.t.agentKey('ops-bot', 'erin@example.com');

    const first = await timedSubmit(agent, 'terraform.apply');
    expect(first.ms).toBeLessThan(500);
    expect(postsOf(s.slack, first.request.id)).toEqual([]); // answered before Slack took the message

    // Slack is failing now; a submission still answers at once.
    await s.slack.waitFor('chat.postMessage', (c) => c.status === 500);
    const second = await timedSubmit(agent, 'kubectl.apply');
    expect(second.ms).toBeLessThan(500);

    const limited = await s.slack.waitFor('chat.postMessage', (c) => c.status === 429, 12_000);
    // A request made while Slack asks us to wait must wait too: the pause is for every delivery.
    const third = await timedSubmit(agent, 'helm.upgrade');
    expect(third.ms).toBeLessThan(500);

    for (const { request } of [first, second, third]) await postedMessage(s.slack, request.id, 12_000);
    await outboxDrained(s.t);

    const retryAt = limited.at.getTime() + 1000;
    const early = s.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.seq > limited.seq && c.at.getTime() < retryAt)
      .map((c) => `${c.at.getTime() - limited.at.getTime()} ms after the 429`);
    expect(early).toEqual([]);

    for (const { request } of [first, second, third]) expect(postsOf(s.slack, request.id)).toHaveLength(1);
    expect(s.slack.callsTo('chat.postMessage').filter(injected)).toHaveLength(4);
    expectNoFailedSlackCalls(s.slack, injected);
  }, 25_000);
});
