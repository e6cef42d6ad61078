import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  type MessageRef,
  outboxDrained,
  postedMessage,
  typesOf,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, postToSlackEvents, SIGNING_SECRET, type Signed, useSlackTest } from './slack-harness';

const s = useSlackTest();

const now = () => Math.floor(Date.now() / 1000);

async function pendingRequest(): Promise<{ key: string; id: string; ref: MessageRef }> {
  const key = await s.t.agentKey('ops-bot', 'erin@example.com');
  const { id } = await submit(s.t, key, { action: 'terraform.apply', environment: 'prod' });
  const ref = await postedMessage(s.slack, id);
  await outboxDrained(s.t); // Slack is quiet: any later call comes from what the test sends
  return { key, id, ref };
}

describe('requests to /slack/events that Slack did not sign', () => {
  const forgeries: Array<[string, (click: Signed) => Signed]> = [
    ['a bad signature', (click) => ({ ...click, signature: `v0=${'0'.repeat(64)}` })],
    [
      'a signature made with the wrong secret',
      (click) => ({ ...click, secret: 'not-the-signing-secret-42' }),
    ],
    [
      'a stale timestamp (6 minutes old), correctly signed',
      (click) => ({ ...click, timestamp: now() - 360 }),
    ],
    [
      'a far-future timestamp (6 minutes ahead), correctly signed',
      (click) => ({ ...click, timestamp: now() + 360 }),
    ],
    ['no signature at all', (click) => ({ ...click, signature: '' })],
  ];

  it.each(forgeries)(
    'refuses %s with 401, records no review and calls Slack not at all',
    async (_, forge) => {
      const { key, id, ref } = await pendingRequest();
      const before = s.slack.calls.length;
      const res = await postToSlackEvents(
        s.t,
        forge(buttonClick(s.slack, 'bob', 'countersign.approve', id, ref)),
      );
      expect(res.status).toBe(401);
      expect(s.slack.calls.slice(before).map((c) => c.method)).toEqual([]);

      // The same click, signed as Slack signs it, is what decides, and it is the only review there is.
      const genuine = await postToSlackEvents(
        s.t,
        buttonClick(s.slack, 'bob', 'countersign.approve', id, ref),
      );
      expect(genuine.status).toBe(200);
      await waitForUpdate(s.slack, ref, (content) => content.includes('Approved by <@U0BOB>'));
      const types = typesOf(await auditOf(s.t, id));
      expect(types.filter((t) => t.startsWith('review.'))).toEqual(['review.recorded']);
      expect((await fetchRequest(s.t, key, id)).reviews).toHaveLength(1);
      await outboxDrained(s.t);
      expectNoFailedSlackCalls(s.slack);
    },
  );

  it('accepts a timestamp just inside the window (4 minutes old)', async () => {
    const { key, id, ref } = await pendingRequest();
    const click = { ...buttonClick(s.slack, 'bob', 'countersign.approve', id, ref), timestamp: now() - 240 };
    expect((await postToSlackEvents(s.t, click)).status).toBe(200);
    await waitForUpdate(s.slack, ref, (content) => content.includes('Approved by <@U0BOB>'));
    expect((await fetchRequest(s.t, key, id)).status).toBe('approved');
  });
});

describe("Slack's own probes", () => {
  it('ssl_check is answered 200 and does nothing', async () => {
    const before = s.slack.calls.length;
    const res = await fetch(`${s.t.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=legacy-verification-token',
    });
    expect(res.status).toBe(200);
    expect(s.slack.calls.length).toBe(before);
  });

  it('url_verification echoes the challenge', async () => {
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const res = await postToSlackEvents(s.t, { contentType: 'application/json', body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('url_verification with a bad signature is refused', async () => {
    const body = JSON.stringify({ token: 't', challenge: 'abc', type: 'url_verification' });
    const res = await postToSlackEvents(s.t, {
      contentType: 'application/json',
      body,
      secret: `${SIGNING_SECRET}x`,
    });
    expect(res.status).toBe(401);
  });
});
