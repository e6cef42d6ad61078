import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePolicy } from '@countersign/shared/policy';
import { defineConfig } from 'wxt';

const PACK = fileURLToPath(new URL('../packs/consoles.default.yaml', import.meta.url));

/**
 * `virtual:countersign/default-pack`: the repository's default console pack, parsed and checked at
 * build time exactly as the server parses it. The extension matches with it until the server's rules
 * arrive, so a fresh or unpaired browser still recognises (and refuses) gated console actions.
 */
function defaultPack() {
  const id = 'virtual:countersign/default-pack';
  return {
    name: 'countersign-default-pack',
    resolveId: (source: string) => (source === id ? `\0${id}` : undefined),
    load(resolved: string) {
      if (resolved !== `\0${id}`) return undefined;
      const loaded = parsePolicy(readFileSync(PACK, 'utf8'), PACK);
      if (!loaded.ok) {
        const problems = loaded.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`);
        throw new Error(`the default console pack does not validate:\n${problems.join('\n')}`);
      }
      return `export default ${JSON.stringify({ version: `bundled:${loaded.version}`, consoles: loaded.policy.consoles })};`;
    },
  };
}

export default defineConfig({
  // The browser tests build into a folder of their own per run, so two runs at once (CI shards,
  // several people on one machine) never load a build the other is halfway through writing.
  outDir: process.env.COUNTERSIGN_EXTENSION_OUT_DIR ?? '.output',
  modules: ['@wxt-dev/webextension-polyfill'],
  manifestVersion: 3,
  manifest: ({ browser }) => ({
    name: 'Countersign',
    description: 'Holds privileged actions in cloud web consoles until a human countersigns them.',
    // Console rules are data from the server, and the server is wherever the organisation runs it:
    // the extension cannot know in advance which hosts to watch or which host to call.
    host_permissions: ['<all_urls>'],
    permissions: ['storage', 'declarativeNetRequest', 'alarms'],
    ...(browser === 'firefox' && {
      browser_specific_settings: {
        gecko: {
          id: 'extension@countersign.dev',
          // MAIN-world content scripts arrived in 128; data_collection_permissions in 140.
          strict_min_version: '140.0',
          data_collection_permissions: { required: ['none'] },
        },
        gecko_android: { strict_min_version: '142.0' },
      },
    }),
  }),
  vite: () => ({ plugins: [defaultPack()] }),
  zip: {
    artifactTemplate: 'countersign-{{version}}-{{browser}}.zip',
    sourcesTemplate: 'countersign-{{version}}-sources.zip',
    // The extension is built from the workspace (shared/, packs/): the sources zip holds what a
    // reviewer needs to rebuild it, and nothing of the server, the bot or the tests.
    sourcesRoot: '..',
    excludeSources: [
      'server/**',
      'bot/**',
      'test/**',
      'docs/**',
      'data/**',
      'scripts/**',
      '.ci/**',
      '**/.output/**',
      '**/.wxt/**',
      '**/node_modules/**',
      '**/*.db*',
      'test-results/**',
    ],
  },
});
