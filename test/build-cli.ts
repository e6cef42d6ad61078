// Vitest global setup: builds the CLI bundle (server/dist/cli) once per run when a source is newer
// than it, so every test process runs what `npm start` and `pnpm countersign` run — plain JS, no
// TypeScript compiled at each spawn — and never a stale build.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`building the CLI (node scripts/build.mjs) failed:\n${result.stdout}\n${result.stderr}`);
}
