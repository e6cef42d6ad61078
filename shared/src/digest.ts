import canonicalize from 'canonicalize';

export type DigestInput = {
  action: string;
  resource?: string | undefined;
  environment?: string | undefined;
  params?: Record<string, unknown> | undefined;
};

/** RFC 8785 canonical JSON of any JSON value (the audit chain hashes events with it too). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalized');
  return text;
}

/** RFC 8785 canonical JSON of exactly the fields a grant is bound to, absent ones omitted. */
export function canonicalAction(input: DigestInput): string {
  const bound: Record<string, unknown> = { action: input.action };
  if (input.resource !== undefined) bound.resource = input.resource;
  if (input.environment !== undefined) bound.environment = input.environment;
  if (input.params !== undefined) bound.params = input.params;
  return canonicalJson(bound);
}

export async function sha256Hex(text: string): Promise<string> {
  // Web Crypto, so the same code runs in Node 20+, browsers and the extension's worker.
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `sha256:<hex>` of the canonical action: what a grant is bound to. */
export async function actionDigest(input: DigestInput): Promise<string> {
  return `sha256:${await sha256Hex(canonicalAction(input))}`;
}
