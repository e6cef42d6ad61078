import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { actionDigest, canonicalAction } from '../src/digest';

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('canonicalAction (RFC 8785)', () => {
  it('orders keys by UTF-16 code units at every depth and drops whitespace', () => {
    const text = canonicalAction({ action: 'a.b', params: { z: 1, a: { y: [3, 2], b: null }, B: true } });
    expect(text).toBe('{"action":"a.b","params":{"B":true,"a":{"b":null,"y":[3,2]},"z":1}}');
  });

  it('writes numbers the ECMAScript way: no trailing zeros, exponents from 1e21, -0 as 0', () => {
    const params = { a: 1.0, b: 1e21, c: 1e-7, d: -0, e: 123456789012345680000, f: 0.1 + 0.2 };
    expect(canonicalAction({ action: 'n', params })).toBe(
      '{"action":"n","params":{"a":1,"b":1e+21,"c":1e-7,"d":0,"e":123456789012345680000,"f":0.30000000000000004}}',
    );
  });

  it('escapes only what JSON requires and keeps other Unicode as is', () => {
    const text = canonicalAction({ action: 'u', params: { s: 'é\u2028"\\\n\u0001€😀' } });
    expect(text).toBe('{"action":"u","params":{"s":"é\u2028\\"\\\\\\n\\u0001€😀"}}');
  });

  it('sorts keys by code unit, so a non-BMP key sorts by its surrogates', () => {
    // RFC 8785 §3.2.3 compares UTF-16 code units: \r (0x000D) < € (0x20AC) < 😀 (0xD83D 0xDE00).
    expect(canonicalAction({ action: 'k', params: { '😀': 1, '€': 2, '\r': 3 } })).toBe(
      '{"action":"k","params":{"\\r":3,"€":2,"😀":1}}',
    );
  });

  it('binds exactly the four fields, omitting absent ones, so other fields cannot change the digest', () => {
    const bare = canonicalAction({ action: 'db.export' });
    expect(bare).toBe('{"action":"db.export"}');
    expect(canonicalAction({ action: 'db.export', resource: 'r', environment: 'prod', params: {} })).toBe(
      '{"action":"db.export","environment":"prod","params":{},"resource":"r"}',
    );
  });
});

describe('actionDigest', () => {
  it('is sha256 of the canonical JSON, as `sha256:<hex>`', async () => {
    const input = { action: 'db.export', resource: 'customers/eu', environment: 'prod', params: { rows: 5 } };
    expect(await actionDigest(input)).toBe(sha256(canonicalAction(input)));
    expect(await actionDigest(input)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('does not depend on key order, and does depend on every bound value', async () => {
    const a = await actionDigest({ action: 'x', params: { a: 1, b: 2 } });
    expect(await actionDigest({ params: { b: 2, a: 1 }, action: 'x' })).toBe(a);
    expect(await actionDigest({ action: 'x', params: { a: 1, b: 3 } })).not.toBe(a);
    expect(await actionDigest({ action: 'x', params: { a: 1, b: 2 }, environment: 'prod' })).not.toBe(a);
    expect(await actionDigest({ action: 'x', params: {} })).not.toBe(await actionDigest({ action: 'x' }));
  });
});
