import { fileURLToPath } from 'node:url';

/** Where the global set-up tells test workers it built the extension for this run. */
export const BUILD_DIR_ENV = 'COUNTERSIGN_TEST_EXTENSION_BUILD';

/** This run's build of the extension; `extension/.output` (a build by hand) when none was made. */
export const buildDir = (): string =>
  process.env[BUILD_DIR_ENV] ?? fileURLToPath(new URL('../../extension/.output', import.meta.url));
