// `countersign keys create` and the other admin verbs open only the core: the database, the secret
// and an inert policy. The HTTP app, the Slack and Teams modules, the policy parser with CEL and YAML
// and the console pack are most of the bundle; loading them made `keys create` cost ≈0.7 s of CPU
// (the target is under 300 ms of wall time).
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parsePolicy } from '@countersign/shared/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INERT_POLICY, inertPolicy } from '../../server/src/open-core';
import { runCli, tempDir } from './processes';

let dir: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

/**
 * Every module `args` loaded: the workspace sources and packages behind the bundle's chunks, and the
 * files of packages outside the bundle (ES modules as they load, CommonJS ones from the require cache).
 */
async function sourcesLoadedBy(args: string[], env: Record<string, string>): Promise<Set<string>> {
  const log = join(dir.dir, `loaded-${args.join('-')}.txt`);
  // Module hooks run beside the CLI's own loading and note every file URL it loads.
  const hooks = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n');
  return next(url, context);
}`;
  const register = join(dir.dir, 'register.mjs');
  await writeFile(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});\n`,
  );
  const cache = join(dir.dir, 'require-cache.cjs');
  await writeFile(
    cache,
    `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).map((f) => 'file://' + f + '\\n').join('')));\n`,
  );
  const run = await runCli(args, { ...env, NODE_OPTIONS: `--import ${register} --require ${cache}` });
  expect(run.code, run.stderr).toBe(0);
  const sources = new Set<string>();
  for (const url of (await readFile(log, 'utf8')).trim().split('\n')) {
    if (!url.includes('/server/dist/cli/')) {
      sources.add(new URL(url).pathname);
      continue;
    }
    const chunk = new URL(url).pathname;
    const map = JSON.parse(await readFile(`${chunk}.map`, 'utf8')) as { sources: string[] };
    for (const source of map.sources) sources.add(resolve(dirname(chunk), source));
  }
  return sources;
}

describe('the CLI admin verbs', () => {
  it('keys create loads neither the servers and chat transports nor the policy parser', async () => {
    const policy = join(dir.dir, 'policy.yaml');
    await writeFile(policy, 'version: 1\nrules: []\n');
    const env = { COUNTERSIGN_DB_URL: `file:${dir.dir}/countersign.db`, COUNTERSIGN_POLICY: policy };
    expect((await runCli(['init'], env)).code).toBe(0);
    const loaded = [...(await sourcesLoadedBy(['keys', 'create', '--user', 'a@example.com'], env))];
    // The check itself sees what it should: the database layer and the key verb are there.
    expect(loaded.some((s) => s.endsWith('server/src/services/keys/create-key.ts'))).toBe(true);
    expect(loaded.some((s) => s.endsWith('server/src/db/client.ts'))).toBe(true);
    const heavy = loaded.filter((s) =>
      /bot\/src\/|@libsql\/hrana-client|node_modules\/ws\/|@libsql\/client\/lib-(esm|cjs)\/(ws|http)\.js|server\/src\/http\/app\.ts|server\/src\/(slack|teams|web)\/|@bufbuild\/cel|node_modules\/.*\/yaml\/|shared\/src\/policy\/load\.ts|load-console-pack\.ts/.test(
        s,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it('open the core with the inert policy exactly as parsing it gives', () => {
    const parsed = parsePolicy(INERT_POLICY, '(inert)');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const inert = inertPolicy(0);
    expect(inert.policy).toEqual(parsed.policy);
    expect(inert.version).toBe(parsed.version);
    expect(inert.text).toBe(INERT_POLICY);
  });
});
