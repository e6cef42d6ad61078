// Builds and zips the extension (Chrome and Firefox) once per test run, as a release would, so browser
// tests load what the code says now, never a stale build.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const cwd = fileURLToPath(new URL('../../extension', import.meta.url));
  for (const args of [['zip'], ['zip', '-b', 'firefox']]) {
    const result = spawnSync('pnpm', ['exec', 'wxt', ...args], { cwd, encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(
        `building the extension (wxt ${args.join(' ')}) failed:\n${result.stdout}\n${result.stderr}`,
      );
  }
}
