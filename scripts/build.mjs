#!/usr/bin/env node
// Bundles the CLI and server (server/src/cli/main.ts and every workspace source it reaches) into plain
// JavaScript at server/dist/cli/main.js, so `countersign` starts without compiling TypeScript and
// production runs `node` on plain JS. tsx stays for development; this is what `npm start`, `pnpm
// countersign` and the test processes run.
//
// `node scripts/build.mjs` builds when a source is newer than the bundle (a stat walk, a few ms when
// there is nothing to do); `--force` always builds. Exported as `buildIfStale` for the test setup.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(root, 'server', 'dist', 'cli', 'main.js');
const ENTRY = join(root, 'server', 'src', 'cli', 'main.ts');
// Everything the bundle is made of: a change in any of these makes it stale.
const SOURCES = ['server/src', 'shared/src', 'bot/src', 'scripts/build.mjs', 'pnpm-lock.yaml'];
// Native bindings and modules that load files beside themselves at run time stay outside the
// bundle; node resolves them from server/dist/cli/, i.e. through server/node_modules.
const EXTERNAL = ['@libsql/client', 'libsql', 'pino', 'thread-stream', 'pino-pretty'];

/** The newest modification time under `path` (a file or a folder), skipping tests. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file changes its folder's mtime
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.endsWith('.test.ts')) continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

export function isStale() {
  if (!existsSync(BUNDLE)) return true;
  const built = statSync(BUNDLE).mtimeMs;
  return SOURCES.some((source) => newest(join(root, source)) > built);
}

/**
 * A source that finds a file beside itself (`new URL('../../drizzle', import.meta.url)`: the
 * migrations, the console pack) would look beside the bundle instead once bundled. Each module's
 * `import.meta.url` becomes its own source file's URL, computed from the bundle's location, so such
 * paths resolve exactly as they do under tsx, wherever the checkout lives.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromBundle = relative(dirname(BUNDLE), args.path).split('\\').join('/');
      return {
        contents: text.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
        ),
        loader: 'ts',
      };
    });
  },
};

/**
 * Packages that a dependency only tries to load (an optional peer such as @opentelemetry/api-logs,
 * required inside a function) are not installed; left as a plain import they fail at run time
 * exactly as they do under tsx, instead of failing the build.
 */
const missingStaysExternal = {
  name: 'missing-stays-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.probing) return undefined;
      const found = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { probing: true },
      });
      if (found.errors.length > 0) return { path: args.path, external: true };
      return {
        path: found.path,
        external: found.external,
        namespace: found.namespace,
        sideEffects: found.sideEffects,
      };
    });
  },
};

/**
 * `@libsql/client` loads its WebSocket and HTTP clients (ws, hrana: ≈70 ms of CPU) even for a
 * `file:` database, which every CLI command and a local server use. The bundle's imports of it get
 * this module instead: the sqlite3 half for `file:` and `:memory:` (what `createClient` itself picks
 * for them), the whole client only for a remote URL. Both come from the package's CommonJS build, so
 * there is one LibsqlError class and `instanceof` holds whichever half threw.
 */
const LIBSQL_CLIENT = `import { createRequire } from 'node:module';
// A require of node's own, at run time: not one esbuild follows into the bundle.
const load = createRequire(import.meta.url);
const local = load('@libsql/client/sqlite3');
export const LibsqlError = local.LibsqlError;
export function createClient(config) {
  const url = config.url;
  if (url.startsWith('file:') || url === ':memory:') return local.createClient(config);
  return load('@libsql/client').createClient(config);
}
`;

const libsqlClientByUrl = {
  name: 'libsql-client-by-url',
  setup(build) {
    build.onResolve({ filter: /^@libsql\/client$/ }, () => ({ path: 'client', namespace: 'libsql-client' }));
    build.onLoad({ filter: /.*/, namespace: 'libsql-client' }, () => ({
      contents: LIBSQL_CLIENT,
      loader: 'js',
      resolveDir: join(root, 'server'),
    }));
  },
};

export async function build() {
  const esbuild = await import(
    pathToFileURL(join(root, 'server', 'node_modules', 'esbuild', 'lib', 'main.js')).href
  );
  const result = await esbuild.build({
    entryPoints: { main: ENTRY },
    // Commands import what they need when they run (`await import`): split, `--help` loads only
    // the command tree, not the server. Chunks sit beside main.js, so paths relative to it hold.
    outdir: dirname(BUNDLE),
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    plugins: [libsqlClientByUrl, ownImportMetaUrl, missingStaysExternal],
    // Bundled CommonJS packages still call require() for node's own modules.
    banner: {
      js: "import { createRequire as __csCreateRequire } from 'node:module'; const require = __csCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  // Other processes (a test run, a running server loading a chunk late) may be using the current
  // build: chunks are named by their content and written first, main.js is replaced by a rename
  // last, and what no recent build names is removed afterwards (removeStale).
  mkdirSync(dirname(BUNDLE), { recursive: true });
  const written = new Set();
  let main;
  for (const file of result.outputFiles) {
    written.add(file.path);
    if (file.path === BUNDLE) main = file;
    else if (!existsSync(file.path) || file.path.endsWith('.map')) writeAtomically(file.path, file.contents);
  }
  if (!main) throw new Error('esbuild wrote no main.js');
  writeAtomically(BUNDLE, main.contents);
  removeStale([...written].map((path) => relative(dirname(BUNDLE), path)));
}

// How long a build's files outlive the build that replaced it: a process started from it (a test run,
// a server) may still import a chunk late. Builds come every minute or so while people edit sources.
const KEEP_MS = 10 * 60_000;
const MANIFEST = join(dirname(BUNDLE), 'builds.json');

/**
 * Cleans the output folder (only that folder) of what no build of the last KEEP_MS names. Each build
 * lists its files in builds.json; a file is removed when it is neither in the newest build nor in one
 * made within KEEP_MS, and was itself written more than KEEP_MS ago, so a concurrent build's fresh
 * chunks (its entry perhaps lost in a race on builds.json) are never taken from under it. Leftover
 * temporary files of a build that died go the same way. Chunks were never removed before but after
 * an hour from their creation, which left ≈650–1,400 files in the folder on a busy afternoon.
 */
function removeStale(files) {
  const folder = dirname(BUNDLE);
  const now = Date.now();
  let builds = [];
  try {
    const parsed = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    if (Array.isArray(parsed))
      builds = parsed.filter((b) => typeof b?.at === 'number' && Array.isArray(b.files));
  } catch {
    // No manifest yet (or a torn one): only the age rule below protects older files this once.
  }
  builds = [...builds.filter((b) => now - b.at < KEEP_MS), { at: now, files }];
  writeAtomically(MANIFEST, JSON.stringify(builds));
  const named = new Set(builds.flatMap((b) => b.files));
  named.add('builds.json');
  for (const name of readdirSync(folder)) {
    if (named.has(name)) continue;
    const path = join(folder, name);
    try {
      if (now - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { force: true });
    } catch {
      // Removed by a concurrent build meanwhile.
    }
  }
}

/** A reader never sees half a file: written beside it, then renamed over it. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Builds when the bundle is missing or older than a source. Returns whether it built. */
export async function buildIfStale() {
  if (!isStale()) return false;
  await build();
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const force = process.argv.includes('--force');
  if (force) await build();
  const built = force || (await buildIfStale());
  if (built)
    process.stderr.write(
      `build: ${relative(root, BUNDLE)} in ${Math.round(performance.now() - started)} ms\n`,
    );
}
