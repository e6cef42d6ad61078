import { timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../../audit/chain';

// `csk_<ULID of the key id>_<43 chars of secret>`: the id part finds the row, the secret part is
// compared by hash in constant time, so a lookup never depends on how much of a guess was right.
const TOKEN = /^csk_([0-9A-Z]{26})_([A-Za-z0-9_-]{43})$/;

export const formatKeyToken = (keyId: string, secret: string): string =>
  `csk_${keyId.slice('key_'.length)}_${secret}`;

export function parseKeyToken(token: string): { keyId: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m?.[1] && m[2] ? { keyId: `key_${m[1]}`, secret: m[2] } : undefined;
}

export const hashSecret = (secret: string): string => sha256Hex(secret);

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
