import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** shared/src, where every browser entry point must stay. */
export const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Globals that exist in Node and not in a browser page or an extension's service worker. */
export const NODE_ONLY = /\b(process\.|Buffer\b|require\(|__dirname|import\.meta\.url)/;

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

/** Every source file an entry reaches at run time, and the packages it imports on the way. */
export function reachable(entry: string): { files: string[]; packages: string[] } {
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
