import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from '../src/audit/chain';

const event = {
  seq: 1,
  at: '2026-11-21T12:00:00.000Z',
  type: 'key.created',
  actor: 'system:cli',
  subject: 'key_1',
  data: { scopes: ['a'] },
};

describe('the audit hash chain', () => {
  it('hashes the previous hash and the canonical event, deterministically', () => {
    const first = chainHash(GENESIS_HASH, event);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...event, data: { scopes: ['a'] } })).toBe(first);
    expect(canonicalJson(event)).toBe(
      '{"actor":"system:cli","at":"2026-11-21T12:00:00.000Z","data":{"scopes":["a"]},"seq":1,"subject":"key_1","type":"key.created"}',
    );
  });

  it.each([
    ['seq', { seq: 2 }],
    ['at', { at: '2026-11-21T12:00:00.001Z' }],
    ['type', { type: 'key.revoked' }],
    ['actor', { actor: 'system:server' }],
    ['subject', { subject: null }],
    ['data', { data: { scopes: ['b'] } }],
  ])('changes when %s changes', (_field, change) => {
    expect(chainHash(GENESIS_HASH, { ...event, ...change })).not.toBe(chainHash(GENESIS_HASH, event));
  });

  it('links to the previous event: the same event after a different predecessor hashes differently', () => {
    const a = chainHash(GENESIS_HASH, event);
    const b = chainHash(chainHash(GENESIS_HASH, { ...event, actor: 'x' }), { ...event, seq: 2 });
    const c = chainHash(a, { ...event, seq: 2 });
    expect(b).not.toBe(c);
  });
});
