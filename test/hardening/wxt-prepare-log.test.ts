import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const extension = resolve(import.meta.dirname, '../../extension');

// `pnpm install` in CI runs the extension's postinstall with stdout a pipe. WXT's banner came out as raw
// escape codes there (`WXT \x1b[1m\x1b[90m0.20.27`): Node 20's styleText ignores the stream for an array
// of styles, so NO_COLOR alone does not reach it.
describe('the extension postinstall (wxt prepare) in a log that is not a terminal', () => {
  it('writes no ANSI escape codes, and still generates the types', () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // As pnpm install runs it: not under vitest (consola goes quiet in a test environment), no colour flags.
    for (const name of Object.keys(env))
      if (/^(VITEST|TEST$|NODE_ENV$|FORCE_COLOR$|NO_COLOR$|CI$|npm_config_color$)/.test(name))
        delete env[name];
    const run = spawnSync('pnpm', ['run', 'postinstall'], {
      cwd: extension,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toContain('Generating types');
    expect(JSON.stringify(output)).not.toMatch(/\\u001b/);
  }, 90_000);
});
