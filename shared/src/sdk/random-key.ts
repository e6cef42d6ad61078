/** A random Idempotency-Key. */
export function randomKey(): string {
  // randomUUID exists only in secure contexts in browsers; getRandomValues everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}
