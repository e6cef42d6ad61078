import { describe, expect, it } from 'vitest';
import { withoutCounts } from './dnr-regex';

const KEY_VAULT =
  '^https://(?:[^./?#:]+?)\\.vault\\.azure\\.net/secrets(?:/[^/?#]+?)(?:/(?:[0-9a-f]{32}))?(?:\\?[^#]*)?$';

describe('withoutCounts: a broader regex for a block rule RE2 cannot afford', () => {
  it('makes counted repetitions open-ended', () => {
    expect(withoutCounts('a{32}b{0,3}c{2,}d{1,4}?')).toBe('a+b*c+d+?');
  });

  it('leaves escaped braces, braces in a class and non-quantifier braces alone', () => {
    expect(withoutCounts('\\{32\\}[{2}]x{y}[\\]{3}]z')).toBe('\\{32\\}[{2}]x{y}[\\]{3}]z');
    expect(withoutCounts('[]{2}]a{2}')).toBe('[]{2}]a+');
    expect(withoutCounts('[^]{2}]a{2}')).toBe('[^]{2}]a+');
  });

  it('still matches every URL the exact regex matches, and keeps out what it kept out', () => {
    const exact = new RegExp(KEY_VAULT, 'i');
    const broad = new RegExp(withoutCounts(KEY_VAULT), 'i');
    const version = '0123456789abcdef0123456789abcdef';
    for (const url of [
      'https://prod-kv.vault.azure.net/secrets/db-password?api-version=7.4',
      `https://prod-kv.vault.azure.net/secrets/db-password/${version}?api-version=7.4`,
      `https://prod-kv.vault.azure.net/secrets/db-password/${version.toUpperCase()}`,
    ]) {
      expect(exact.test(url)).toBe(true);
      expect(broad.test(url)).toBe(true);
    }
    // The secret's list of versions is a read of metadata, not of the value: blocked by neither.
    const versions = 'https://prod-kv.vault.azure.net/secrets/db-password/versions?api-version=7.4';
    expect(exact.test(versions)).toBe(false);
    expect(broad.test(versions)).toBe(false);
  });
});
