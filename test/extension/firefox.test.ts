import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_BUILD } from './chromium';
import { type FixtureConsole, startFixtureConsole } from './fixture-console';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const WEB_EXT = fileURLToPath(new URL('../node_modules/web-ext/bin/web-ext.js', import.meta.url));

type LintMessage = { code: string; message: string; description?: string; file?: string };
type Lint = {
  summary: { errors: number; warnings: number; notices: number };
  errors: LintMessage[];
  warnings: LintMessage[];
};

describe('the Firefox build', () => {
  it('passes web-ext lint with no errors and no warnings', () => {
    const run = spawnSync(
      process.execPath,
      [WEB_EXT, 'lint', '--source-dir', FIREFOX_BUILD, '--output', 'json'],
      {
        encoding: 'utf8',
      },
    );
    const lint = JSON.parse(run.stdout) as Lint;
    expect([...lint.errors, ...lint.warnings]).toEqual([]);
    expect(lint.summary).toMatchObject({ errors: 0, warnings: 0 });
  });

  describe('loaded headlessly in Firefox ESR', () => {
    let fixture: FixtureConsole;
    let firefox: ChildProcess | undefined;
    let output = '';

    beforeAll(async () => {
      fixture = await startFixtureConsole();
    });

    afterAll(async () => {
      if (firefox?.pid) {
        try {
          process.kill(-firefox.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await fixture?.stop();
    });

    it('holds back a gated request in a page (unpaired: refused, with the reason) and leaves the rest alone', async () => {
      firefox = spawn(
        process.execPath,
        [
          WEB_EXT,
          'run',
          '--source-dir',
          FIREFOX_BUILD,
          '--target',
          'firefox-desktop',
          '--firefox',
          FIREFOX,
          '--no-input',
          '--no-reload',
          '--arg=--headless',
          '--start-url',
          `${fixture.origin}/auto`,
        ],
        { env: { ...process.env, MOZ_HEADLESS: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      firefox.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      firefox.stderr?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      const deadline = Date.now() + 50_000;
      while (Date.now() < deadline && fixture.hitsTo('/report').length === 0) {
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(output).toContain('Installed');
      const report = fixture.hitsTo('/report')[0];
      if (!report) throw new Error(`the page never reported; web-ext said:\n${output.slice(-3000)}`);
      const got = Object.fromEntries(new URL(report.path, 'http://x').searchParams);
      expect(got).toMatchObject({ list: '200', status: '403', outcome: 'failed' });
      expect(got.body).toContain('not paired');
      expect(fixture.hitsTo('/api/list?auto=1', 'GET')).toHaveLength(1);
    }, 60_000);
  });
});
