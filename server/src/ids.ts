import { randomBytes, randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// ulid's default source calls crypto.getRandomValues for each of an id's 16 random characters
// (≈45 µs an id on the allow path, which makes several). One OS CSPRNG read fills 4 KiB instead;
// each character takes one byte of it. Same entropy per character (a byte's top five bits are
// uniform over the 32 symbols), 256 ids per read.
const pool = Buffer.alloc(4096);
let next = pool.length;

/** A uniform fraction in [0, 1) from the pooled CSPRNG bytes, in the form ulid's PRNG takes. */
export function pooledRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const byte = pool[next] ?? 0;
  next += 1;
  return byte / 256;
}

const ulid = monotonicFactory(pooledRandom);

/** Prefixed, time-sortable ids: the prefix says what it is, the ULID sorts newest-last. */
export type IdPrefix = 'act' | 'rev' | 'key' | 'grt' | 'out' | 'stp' | 'grp' | 'usr' | 'cmt' | 'sta';
export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid()}`;

/** 256 bits from the OS CSPRNG, URL-safe. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');
