import { actionDigest } from '@countersign/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../../server/test/harness';
import { settled, waitForCard } from './chromium';
import type { FixtureConsole } from './fixture-console';
import { type PairedBrowser, startPairedBrowser } from './paired-browser';

let t: PairedBrowser;
let fixture: FixtureConsole;
let server: TestServer;
let approverKey: string;
let page: Page;

beforeAll(async () => {
  t = await startPairedBrowser();
  ({ fixture, server, approverKey } = t);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

beforeEach(async () => {
  page = await t.openConsole();
});

const requests = () => t.requests();

describe('an envelope rule (the S3 console proxy, by XMLHttpRequest) and copilot attribution', () => {
  it('holds PutBucketPolicy started from the Amazon Q panel for review, marked as the copilot’s', async () => {
    await page.click('#q-apply');
    const card = await waitForCard(page, (c) => c.state === 'waiting');
    expect(card.text).toContain('aws.s3.PutBucketPolicy');
    expect(card.text).toContain('s3/fixture-bucket · eu-west-1');
    expect(card.text).toContain('Initiated from Amazon Q');
    const held = (await requests()).find((r) => r.status === 'pending');
    expect(held).toMatchObject({
      action: 'aws.s3.PutBucketPolicy',
      resource: 's3/fixture-bucket',
      environment: 'eu-west-1',
      rule: { name: 'copilot-bucket-policy' },
      context: { initiator: 'copilot:amazon-q', copilot: 'Amazon Q', via: 'xhr' },
      params: { method: 'POST', body: expect.stringMatching(/^\{"method":"PUT","path":"\/fixture-bucket",/) },
    });
    expect(fixture.hitsTo('/s3/proxy')).toEqual([]);
    await server.call('POST', `/v1/actions/${held?.id}/reviews`, {
      key: approverKey,
      body: { decision: 'approve' },
    });
    expect(await settled(page, 'copilot')).toMatchObject({ status: 200 });
    const sent = fixture.hitsTo('/s3/proxy', 'POST');
    expect(sent).toHaveLength(1);
    // Sent unchanged: the body the console built is the body the backend got.
    expect(JSON.parse(sent[0]?.body ?? '{}')).toMatchObject({
      operation: 'PutBucketPolicy',
      region: 'eu-west-1',
    });
    // Reviewers saw those very bytes (in the page's key order, not a canonical one), and the grant
    // that let them out is bound to them: the digest over exactly what the backend received.
    expect(held?.params?.body).toBe(sent[0]?.body);
    const boundTo = await actionDigest({
      action: 'aws.s3.PutBucketPolicy',
      resource: 's3/fixture-bucket',
      environment: 'eu-west-1',
      params: { method: 'POST', url: `${fixture.origin}/s3/proxy`, body: sent[0]?.body },
    });
    expect(held?.digest).toBe(boundTo);
  });

  it('treats the same click outside the panel as the person’s (another rule), and leaves other proxy calls untouched', async () => {
    const before = (await requests()).length;
    await page.click('#human-apply');
    // The policy sends page-initiated console changes to review too (rule console-changes).
    const card = await waitForCard(page, (c) => c.state === 'waiting');
    expect(card.text).not.toContain('Initiated from');
    const held = (await requests()).find((r) => r.status === 'pending');
    expect(held).toMatchObject({ rule: { name: 'console-changes' }, context: { initiator: 'page' } });
    await server.call('POST', `/v1/actions/${held?.id}/reviews`, {
      key: approverKey,
      body: { decision: 'deny', comment: 'use the pipeline' },
    });
    const refused = await settled(page, 'human');
    expect(refused).toMatchObject({ status: 403, outcome: 'denied' });
    expect(JSON.parse(refused.body ?? '{}').error.message).toContain('use the pipeline');

    // A read through the same envelope endpoint: no rule names it, so it goes straight out.
    const read = (await page.evaluate('s3Proxy("GetBucketPolicy")')) as { status: number };
    expect(read.status).toBe(200);
    expect(fixture.hitsTo('/s3/proxy', 'POST')).toHaveLength(1);
    expect((await requests()).length).toBe(before + 1);
  });

  it('holds an XHR with a relative URL from an about:blank frame (resolved against the frame’s base URL)', async () => {
    await page.evaluate('window.run("frame", window.consoleActions.iframeRelativeXhr())');
    const card = await waitForCard(page, (c) => c.state === 'waiting' && c.text.includes('s3/frame-bucket'));
    const held = (await requests()).find((r) => r.status === 'pending' && r.resource === 's3/frame-bucket');
    expect(held?.params).toMatchObject({ url: `${fixture.origin}/s3/proxy` });
    await server.call('POST', `/v1/actions/${held?.id}/reviews`, {
      key: approverKey,
      body: { decision: 'approve' },
    });
    expect(await settled(page, 'frame')).toMatchObject({ status: 200 });
    expect(fixture.hitsTo('/s3/proxy', 'POST')).toHaveLength(1);
    await waitForCard(page, (c) => c.holdId === card.holdId && c.state === 'released');
  });

  it('does not send an XHR the page aborted while it was held, even when approved afterwards', async () => {
    await page.evaluate('window.run("aborted", window.consoleActions.abortedXhr(400))');
    expect(await settled(page, 'aborted')).toMatchObject({ status: 0, body: 'aborted' });
    const held = (await requests()).find((r) => r.status === 'pending' && r.resource === 's3/frame-bucket');
    await server.call('POST', `/v1/actions/${held?.id}/reviews`, {
      key: approverKey,
      body: { decision: 'approve' },
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fixture.hitsTo('/s3/proxy')).toEqual([]);
  });
});
