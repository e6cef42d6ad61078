import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_ONLY, reachable, SRC } from '../browser-safe';

// The extension loads the SDK in a browser: everything it reaches at run time must be web-standard.
const ENTRY = join(SRC, 'sdk/index.ts');
const BROWSER_SAFE_PACKAGES = new Set(['canonicalize', 'zod']);

describe('the SDK entry is browser-safe', () => {
  const { files, packages } = reachable(ENTRY);

  it('reaches the digest code the server uses, and nothing outside shared/src', () => {
    expect(files).toContain(join(SRC, 'digest.ts'));
    for (const file of files) expect(file.startsWith(SRC)).toBe(true);
  });

  it('imports no Node built-ins and only browser-safe packages', () => {
    for (const name of packages) {
      expect(name.startsWith('node:'), name).toBe(false);
      expect(BROWSER_SAFE_PACKAGES.has(name), name).toBe(true);
    }
  });

  it('uses no Node-only globals', () => {
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(NODE_ONLY);
  });
});
