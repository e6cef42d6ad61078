import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const ulid = monotonicFactory();

/** Prefixed, time-sortable ids: the prefix says what it is, the ULID sorts newest-last. */
export type IdPrefix = 'act' | 'rev' | 'key' | 'grt' | 'out' | 'usr' | 'grp';
export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid()}`;

/** 256 bits from the OS CSPRNG, URL-safe. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');
