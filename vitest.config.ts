import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,server,bot,extension,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.output/**'],
    globalSetup: ['test/build-cli.ts', 'test/extension/global-setup.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
