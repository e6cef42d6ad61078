import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePolicy, policyVersion } from '../../src/policy/index';
import { sha256Hex } from '../../src/policy/sha256';

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the pure SHA-256', () => {
  it('agrees with node:crypto across block boundaries and multi-byte characters', () => {
    const samples = [
      '',
      'abc',
      'é✓🔐 policy',
      ...[55, 56, 63, 64, 65, 119, 120, 1000].map((n) => 'x'.repeat(n)),
    ];
    for (const text of samples) expect(sha256Hex(text), `length ${text.length}`).toBe(nodeSha256(text));
  });

  it('matches the FIPS 180-4 test vector for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('policy version', () => {
  it('is sha256: and the first 16 hex characters of the file text', () => {
    const text = 'version: 1\n';
    const result = parsePolicy(text, 'p.yaml');
    expect(result.ok && result.version).toBe(`sha256:${nodeSha256(text).slice(0, 16)}`);
    expect(policyVersion(text)).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it('changes with any change to the text, comments included', () => {
    expect(policyVersion('version: 1\n')).not.toBe(policyVersion('version: 1 # v\n'));
  });
});
