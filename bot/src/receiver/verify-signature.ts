import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack signs each request; a replay outside this window is refused, whether stale or from the future. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks `X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:" + timestamp + ":" + rawBody)`.
 * Bolt's own receiver rejects only stale timestamps; a far-future one would let a captured request be
 * replayed later, so this refuses both directions.
 */
export function verifySlackSignature(
  secret: string,
  rawBody: string,
  signature: string | undefined,
  timestamp: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!signature || !timestamp) return { ok: false, reason: 'missing signature headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) {
    return { ok: false, reason: 'timestamp outside the 5-minute window' };
  }
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad signature' };
  return { ok: true };
}

/** The signature Slack would send; for tests and tools that speak to the bot as Slack does. */
export function signSlackRequest(secret: string, rawBody: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}
