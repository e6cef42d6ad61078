import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The extension runs the console engine in the page and the service worker: web-standard APIs only.
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const ENTRY = join(SRC, 'consoles/index.ts');
const BROWSER_SAFE_PACKAGES = new Set(['picomatch']);
const NODE_ONLY = /\b(process\.|Buffer\b|require\(|__dirname|import\.meta\.url)/;

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
