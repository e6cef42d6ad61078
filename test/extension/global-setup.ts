// Builds and zips the extension (Chrome and Firefox) once per test run, as a release would, so browser
// tests load what the code says now, never a stale build. Each run builds into a temporary folder
// of its own: another run building at the same time must not rewrite the extension a browser loaded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR_ENV } from './build-dir';

export default function setup(): () => void {
  const cwd = fileURLToPath(new URL('../../extension', import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), 'countersign-extension-'));
  for (const args of [['zip'], ['zip', '-b', 'firefox']]) {
    const result = spawnSync('pnpm', ['exec', 'wxt', ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, COUNTERSIGN_EXTENSION_OUT_DIR: outDir },
    });
    if (result.status !== 0)
      throw new Error(
        `building the extension (wxt ${args.join(' ')}) failed:\n${result.stdout}\n${result.stderr}`,
      );
  }
  // Test workers are forked after this, with this environment.
  process.env[BUILD_DIR_ENV] = outDir;
  return () => rmSync(outDir, { recursive: true, force: true });
}
