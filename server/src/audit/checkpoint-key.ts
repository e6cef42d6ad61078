import {
  createHash,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { type AuditCheckpoint, canonicalJson } from '@countersign/shared';

/** The install's checkpoint signing key: Ed25519, derived from the server secret. */
export type CheckpointKey = {
  keyId: string;
  /** The raw 32-byte public key, base64url. */
  publicKey: string;
  privateKey: KeyObject;
  verifier: KeyObject;
};

// PKCS#8 DER prefix for an Ed25519 private key; the 32-byte seed follows it (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
// Distinct labels keep the checkpoint key independent of anything else derived from the secret.
const KEY_LABEL = 'countersign audit checkpoint key v1';
const SIGNED_PREFIX = 'countersign audit checkpoint\n';

const cache = new WeakMap<Buffer, CheckpointKey>();

const keyIdOf = (publicKey: string): string =>
  createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest('hex').slice(0, 16);

/**
 * Derived rather than stored, so every node sharing COUNTERSIGN_SECRET signs with the same key and a
 * copy of the database alone never holds it. Rotating the secret changes the key: checkpoints signed
 * before then no longer verify under the new one.
 */
export function checkpointKeyOf(secret: Buffer): CheckpointKey {
  const cached = cache.get(secret);
  if (cached) return cached;
  const seed = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_LABEL, 32));
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const verifier = createPublicKey(privateKey);
  const { x } = verifier.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('internal: an Ed25519 public key without x');
  const key = { keyId: keyIdOf(x), publicKey: x, privateKey, verifier };
  cache.set(secret, key);
  return key;
}

type Signed = Pick<AuditCheckpoint, 'seq' | 'head' | 'at' | 'keyId'>;

const signedBytes = (c: Signed): Buffer =>
  Buffer.from(SIGNED_PREFIX + canonicalJson({ v: 1, seq: c.seq, head: c.head, at: c.at, keyId: c.keyId }));

export function signCheckpoint(key: CheckpointKey, seq: number, head: string, at: string): AuditCheckpoint {
  const body = { seq, head, at, keyId: key.keyId };
  const signature = sign(null, signedBytes(body), key.privateKey).toString('base64url');
  return { v: 1, ...body, publicKey: key.publicKey, signature };
}

/**
 * Why `checkpoint` is not a statement of `trusted`'s install, or undefined when it is. The key it
 * carries is never trusted on its own word: someone who can write the log can also sign with a key of
 * their own making.
 */
export function checkpointProblem(trusted: CheckpointKey, checkpoint: AuditCheckpoint): string | undefined {
  if (checkpoint.keyId !== trusted.keyId || checkpoint.publicKey !== trusted.publicKey) {
    return `it was signed by key ${checkpoint.keyId}, not this install's key ${trusted.keyId}`;
  }
  const ok = verify(
    null,
    signedBytes(checkpoint),
    trusted.verifier,
    Buffer.from(checkpoint.signature, 'base64url'),
  );
  return ok ? undefined : 'its signature does not verify';
}
