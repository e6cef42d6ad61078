import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The extension loads the SDK in a browser: everything it reaches at run time must be web-standard.
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const ENTRY = join(SRC, 'sdk/index.ts');
const BROWSER_SAFE_PACKAGES = new Set(['canonicalize', 'zod']);
const NODE_ONLY = /\b(process\.|Buffer\b|require\(|__dirname|import\.meta\.url)/;

/** Runtime (not type-only) module specifiers of one file. */
function runtimeImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+'([^']+)'/gm)) {
    if (!match[2] && match[3]) specifiers.push(match[3]);
  }
  for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) if (match[1]) specifiers.push(match[1]);
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) if (match[1]) specifiers.push(match[1]);
  return specifiers;
}

function reachable(entry: string): { files: string[]; packages: string[] } {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === undefined || files.includes(file)) continue;
    files.push(file);
    for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) queue.push(`${resolve(dirname(file), specifier)}.ts`);
      else packages.add(specifier);
    }
  }
  return { files, packages: [...packages] };
}

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
