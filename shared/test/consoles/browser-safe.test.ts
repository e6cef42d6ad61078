import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_ONLY, reachable, SRC } from '../browser-safe';

// The extension runs the console engine in the page and the service worker: web-standard APIs only.
const ENTRY = join(SRC, 'consoles/index.ts');
const BROWSER_SAFE_PACKAGES = new Set(['picomatch']);

describe('the consoles entry is browser-safe', () => {
  const { files, packages } = reachable(ENTRY);

  it('reaches the shared glob code and nothing of the policy loader (YAML, zod)', () => {
    expect(files).toContain(join(SRC, 'policy/glob.ts'));
    expect(files).not.toContain(join(SRC, 'policy/load.ts'));
    for (const file of files) expect(file.startsWith(SRC)).toBe(true);
  });

  it('imports no Node built-ins and only picomatch', () => {
    expect(packages).toEqual(['picomatch']);
    for (const name of packages) expect(BROWSER_SAFE_PACKAGES.has(name), name).toBe(true);
  });

  it('uses no Node-only globals', () => {
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(NODE_ONLY);
  });
});
