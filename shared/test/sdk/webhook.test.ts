import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WebhookVerificationError } from '../../src/sdk/index';

const secret = 'whsec-test-0123456789abcdef';
const body = '{"type":"action.approved","id":"act_01"}';
const t = 1_750_000_000;
const at = (seconds: number) => seconds * 1000;

const reasonOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).reason;
};

describe('signWebhook', () => {
  it('signs "v1:" + timestamp + ":" + body with HMAC-SHA256, as hex', async () => {
    const signed = await signWebhook({ secret, body, timestamp: t });
    const expected = createHmac('sha256', secret).update(`v1:${t}:${body}`).digest('hex');
    expect(signed.signature).toBe(`v1=${expected}`);
    expect(signed.timestamp).toBe(String(t));
    expect(signed.headers).toEqual({
      'X-Countersign-Signature': `v1=${expected}`,
      'X-Countersign-Timestamp': String(t),
    });
  });

  it('signs bytes the same as the equal string', async () => {
    const fromBytes = await signWebhook({ secret, body: new TextEncoder().encode(body), timestamp: t });
    expect(fromBytes.signature).toBe((await signWebhook({ secret, body, timestamp: t })).signature);
  });
});

describe('verifyWebhook', () => {
  it('accepts what signWebhook signed, from a Headers object or a plain header record', async () => {
    const { headers } = await signWebhook({ secret, body, timestamp: t });
    await expect(verifyWebhook({ secret, body, headers: new Headers(headers), now: at(t) })).resolves.toEqual(
      {
        timestamp: t,
      },
    );
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    await expect(verifyWebhook({ secret, body, headers: lower, now: new Date(at(t + 10)) })).resolves.toEqual(
      {
        timestamp: t,
      },
    );
  });

  it('accepts an explicit signature and timestamp', async () => {
    const { signature } = await signWebhook({ secret, body, timestamp: t });
    await expect(verifyWebhook({ secret, body, signature, timestamp: t, now: at(t) })).resolves.toBeDefined();
  });

  it('refuses another secret, an edited body and an edited timestamp', async () => {
    const { signature } = await signWebhook({ secret, body, timestamp: t });
    const now = at(t);
    expect(await reasonOf(verifyWebhook({ secret: 'other', body, signature, timestamp: t, now }))).toBe(
      'mismatch',
    );
    const edited = body.replace('approved', 'denied');
    expect(await reasonOf(verifyWebhook({ secret, body: edited, signature, timestamp: t, now }))).toBe(
      'mismatch',
    );
    expect(await reasonOf(verifyWebhook({ secret, body, signature, timestamp: t + 1, now }))).toBe(
      'mismatch',
    );
  });

  it('refuses timestamps more than the tolerance in the past or the future, and no sooner', async () => {
    const { signature } = await signWebhook({ secret, body, timestamp: t });
    const check = (now: number, toleranceSeconds?: number) =>
      verifyWebhook({ secret, body, signature, timestamp: t, now: at(now), toleranceSeconds });
    await expect(check(t + 300)).resolves.toBeDefined();
    await expect(check(t - 300)).resolves.toBeDefined();
    expect(await reasonOf(check(t + 301))).toBe('stale');
    expect(await reasonOf(check(t - 301))).toBe('stale');
    expect(await reasonOf(check(t + 11, 10))).toBe('stale');
  });

  it('accepts one matching signature among several (a secret rotation)', async () => {
    const old = await signWebhook({ secret: 'old-secret', body, timestamp: t });
    const current = await signWebhook({ secret, body, timestamp: t });
    const headers = {
      'x-countersign-signature': `${old.signature}, ${current.signature}`,
      'x-countersign-timestamp': `${t}`,
    };
    await expect(verifyWebhook({ secret, body, headers, now: at(t) })).resolves.toBeDefined();
    expect(await reasonOf(verifyWebhook({ secret: 'third', body, headers, now: at(t) }))).toBe('mismatch');
  });

  it('names what is missing or malformed', async () => {
    const { signature } = await signWebhook({ secret, body, timestamp: t });
    const now = at(t);
    expect(await reasonOf(verifyWebhook({ secret, body, headers: {}, now }))).toBe('missing_signature');
    expect(
      await reasonOf(verifyWebhook({ secret, body, headers: { 'X-Countersign-Signature': signature }, now })),
    ).toBe('missing_timestamp');
    expect(await reasonOf(verifyWebhook({ secret, body, signature, timestamp: 'soon', now }))).toBe(
      'malformed',
    );
    expect(await reasonOf(verifyWebhook({ secret, body, signature: 'v2=abc', timestamp: t, now }))).toBe(
      'malformed',
    );
    expect(
      await reasonOf(verifyWebhook({ secret, body, signature: signature.slice(0, -2), timestamp: t, now })),
    ).toBe('malformed');
  });
});
