import { readFileSync } from 'node:fs';
import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { requestMessage } from '../../bot/src/blocks/request-message';
import { serverForTest, submit } from '../../server/test/harness';
import { signedIn } from './console-client';

// Trial finding: a condition that could not be evaluated (no params.bucket) was shown as if it had been
// true ("params.bucket does not end with .corp-internal"). `matched.error` says it failed closed.
const EXAMPLE = readFileSync(new URL('../../countersign.policy.yaml', import.meta.url), 'utf8');

describe('held because a condition could not be evaluated', () => {
  it('the API, the console and the Slack message say it failed closed, and why', async (test) => {
    const t = await serverForTest(test, { policy: EXAMPLE });
    const agent = await t.agentKey('uploader', 'carol@example.com');
    const req = await submit(t, agent, {
      action: 'aws.s3.PutObject',
      environment: 'prod',
      params: { pii: true },
    });
    const seen = await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, { key: agent });
    expect(seen.body.matched).toEqual({
      rule: 'pii-to-unknown-bucket',
      condition: 'params.pii == true && !params.bucket.endsWith(".corp-internal")',
      error: 'field not found: bucket',
    });
    const dan = await signedIn(t, 'dan@example.com');
    const page = (await dan.get(`/requests/${req.id}`)).text;
    expect(page).toContain('could not be evaluated (field not found: bucket)');
    expect(page).not.toContain('Held because params.pii');
    const slack = JSON.stringify(requestMessage(seen.body, {}));
    expect(slack).toContain('could not be evaluated (field not found: bucket), so held to be safe');

    // A condition that was true is still shown as the reason, with no error.
    const held = await submit(t, agent, {
      action: 'aws.s3.PutObject',
      environment: 'prod',
      params: { pii: true, bucket: 'dump.example.com' },
    });
    const plain = await t.call<ActionRequest>('GET', `/v1/actions/${held.id}`, { key: agent });
    expect(plain.body.matched.error).toBeUndefined();
  });
});
