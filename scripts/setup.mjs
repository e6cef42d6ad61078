#!/usr/bin/env node
// Brings a fresh machine (Node 20+ and npm, nothing else) to a working checkout: pnpm, then the
// workspace's dependencies, the built CLI (and, with --browsers, Chromium and Firefox ESR for the browser tests). Fast when there is nothing to do, so `npm start` and `npm test` can
// always call it first.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM = '10.34.9';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`setup: ${message}\n`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 10))
  fail(`Node 20.10 or newer is needed (this is ${process.version})`);

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
const works = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'ignore' }).status === 0;

/** The pnpm to use: one on PATH, else a global install of the pinned version, else through npx. */
function findPnpm() {
  if (works('pnpm', ['--version'])) return ['pnpm'];
  process.stderr.write(`setup: installing pnpm ${PNPM} (npm install -g)\n`);
  if (
    run('npm', ['install', '-g', `pnpm@${PNPM}`, '--no-fund', '--no-audit']).status === 0 &&
    works('pnpm', ['--version'])
  ) {
    return ['pnpm'];
  }
  process.stderr.write('setup: a global install was not possible; using npx\n');
  return ['npx', '--yes', `pnpm@${PNPM}`];
}

// pnpm keeps a copy of the lockfile it installed from; when it matches, there is nothing to do.
const lock = join(root, 'pnpm-lock.yaml');
const installed = join(root, 'node_modules', '.pnpm', 'lock.yaml');
const upToDate = existsSync(installed) && readFileSync(installed, 'utf8') === readFileSync(lock, 'utf8');
if (!upToDate) {
  const [cmd, ...pre] = findPnpm();
  const result = run(cmd, [...pre, 'install', '--frozen-lockfile']);
  if (result.status !== 0) fail('pnpm install failed (see above)');
}

// The CLI and server run as plain JavaScript (server/dist/cli): built here when a source is newer
// than the bundle, a stat walk when nothing changed.
const { buildIfStale } = await import('./build.mjs');
try {
  if (await buildIfStale()) process.stderr.write('setup: built server/dist/cli/main.js\n');
} catch (error) {
  fail(`building the CLI failed: ${error instanceof Error ? error.message : String(error)}`);
}

// `--browsers` (the test command): the browser tests drive Debian's Chromium and Firefox ESR, which
// nothing downloads by itself. Install them from Debian's packages when they are missing.
const BROWSERS = [
  { path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', pkg: 'chromium' },
  { path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', pkg: 'firefox-esr' },
];
if (process.argv.includes('--browsers')) {
  const missing = BROWSERS.filter((b) => !existsSync(b.path)).map((b) => b.pkg);
  if (missing.length > 0) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const sudo = root ? [] : works('sudo', ['-n', 'true']) ? ['sudo', '-n'] : undefined;
    if (!sudo || !works('apt-get', ['--version']))
      fail(
        `the browser tests need ${missing.join(' and ')}; install them (Debian: apt-get install -y ${missing.join(' ')}), or set CHROMIUM_PATH / FIREFOX_PATH`,
      );
    process.stderr.write(`setup: installing ${missing.join(', ')} from Debian's packages\n`);
    const apt = (args) => {
      const [cmd, ...pre] = [...sudo, 'apt-get'];
      return run(cmd, [...pre, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    };
    if (apt(['update', '-qq']).status !== 0 || apt(['install', '-y', '-qq', ...missing]).status !== 0)
      fail(`apt-get could not install ${missing.join(' ')} (see above)`);
    const still = BROWSERS.filter((b) => !existsSync(b.path)).map((b) => b.path);
    if (still.length > 0) fail(`installed, but there is still nothing at ${still.join(' and ')}`);
  }
}
