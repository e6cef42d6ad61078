// Webhook signatures: `X-Countersign-Signature: v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + body)>`
// with `X-Countersign-Timestamp: <unix seconds>`. Web Crypto only, so receivers in browsers, workers and
// Node all verify with the same code the server signs with.

export const SIGNATURE_HEADER = 'X-Countersign-Signature';
export const TIMESTAMP_HEADER = 'X-Countersign-Timestamp';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export type VerifyWebhookInput = {
  secret: string;
  /** The raw body exactly as received: re-serialized JSON does not verify. */
  body: string | Uint8Array;
  /** "Now", for tests; a Date or epoch milliseconds. */
  now?: Date | number;
  toleranceSeconds?: number;
} & ({ headers: WebhookHeaders } | { signature: string | undefined; timestamp: string | number | undefined });

export type WebhookFailure = 'missing_signature' | 'missing_timestamp' | 'malformed' | 'mismatch' | 'stale';

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  readonly reason: WebhookFailure;
  constructor(reason: WebhookFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

const encoder = new TextEncoder();

function signedBytes(timestamp: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`v1:${timestamp}:`);
  const rest = typeof body === 'string' ? encoder.encode(body) : body;
  const bytes = new Uint8Array(prefix.length + rest.length);
  bytes.set(prefix);
  bytes.set(rest, prefix.length);
  return bytes;
}

async function hmac(secret: string, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
}

const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));

/** Compares without stopping at the first difference, so timing tells an attacker nothing. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value.join(',') : value;
  }
  return undefined;
}

/** Signs a webhook body; the server sends `headers` with it. `timestamp` defaults to now (unix seconds). */
export async function signWebhook(input: { secret: string; body: string | Uint8Array; timestamp?: number }) {
  const timestamp = String(Math.floor(input.timestamp ?? Date.now() / 1000));
  const signature = `v1=${toHex(await hmac(input.secret, signedBytes(timestamp, input.body)))}`;
  return { signature, timestamp, headers: { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp } };
}

/**
 * Checks that a webhook came from a Countersign server holding `secret` and is fresh: at most
 * `toleranceSeconds` (default 300) from now in either direction, which bounds replays. Resolves with
 * the timestamp; rejects with a WebhookVerificationError naming the reason. The header may carry
 * several `v1=` signatures (comma-separated, during a secret rotation); one matching is enough.
 */
export async function verifyWebhook(input: VerifyWebhookInput): Promise<{ timestamp: number }> {
  const signature = 'headers' in input ? header(input.headers, SIGNATURE_HEADER) : input.signature;
  const rawTimestamp = 'headers' in input ? header(input.headers, TIMESTAMP_HEADER) : input.timestamp;
  if (!signature) throw new WebhookVerificationError('missing_signature', `no ${SIGNATURE_HEADER}`);
  if (rawTimestamp === undefined || rawTimestamp === '')
    throw new WebhookVerificationError('missing_timestamp', `no ${TIMESTAMP_HEADER}`);
  const timestamp = String(rawTimestamp).trim();
  if (!/^\d{1,12}$/.test(timestamp))
    throw new WebhookVerificationError('malformed', `${TIMESTAMP_HEADER} is not unix seconds`);
  const candidates = signature
    .split(/[\s,]+/)
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3));
  if (candidates.length === 0 || candidates.some((hex) => !/^[0-9a-f]{64}$/i.test(hex)))
    throw new WebhookVerificationError('malformed', `${SIGNATURE_HEADER} is not v1=<64 hex digits>`);

  const expected = await hmac(input.secret, signedBytes(timestamp, input.body));
  // Every candidate is compared, matching or not, so the time taken does not reveal which one matched.
  const matches = candidates.map((hex) => equalBytes(expected, fromHex(hex.toLowerCase())));
  if (!matches.includes(true)) throw new WebhookVerificationError('mismatch', 'the signature does not match');

  const now = input.now === undefined ? Date.now() : Number(input.now);
  const skew = Math.floor(now / 1000) - Number(timestamp);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(skew) > tolerance) {
    const when = skew > 0 ? `${skew} s old` : `${-skew} s in the future`;
    throw new WebhookVerificationError('stale', `the timestamp is ${when}; at most ${tolerance} s allowed`);
  }
  return { timestamp: Number(timestamp) };
}
