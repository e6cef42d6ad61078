// How much the extension's page hook adds to a request no console rule names: real Chromium with the
// built extension (unpaired, so matching with the 28-rule default pack), the same loop of fetch()
// calls run once through the hook (the page's world) and once around it (an isolated world with the
// browser's own fetch). Each call's network part is cut short by an aborted signal, so what is timed
// is the synchronous work before the request would leave: the hook's first look, or nothing.
// Rewrites the block between the bench-hook markers in docs/benchmarks.md.
import { execSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { evaluateAroundHook, launchWithExtension } from '../extension/chromium';
import { startFixtureConsole } from '../extension/fixture-console';

const ROOT = join(import.meta.dirname, '..', '..');
const CALLS = 20_000;
const ROUNDS = 7;

const loop = (url: string) => `(() => {
  const stop = new AbortController(); stop.abort();
  const t0 = performance.now();
  for (let i = 0; i < ${CALLS}; i++) fetch(${JSON.stringify(url)} + '&i=' + i, { signal: stop.signal }).catch(() => {});
  return (performance.now() - t0) * 1000 / ${CALLS};
})()`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main() {
  const fixture = await startFixtureConsole();
  const browser = await launchWithExtension();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${fixture.origin}/console`);
    await page.waitForTimeout(500); // the rules reach the hook
    const cases = [
      ['a page request on the page’s own host', `${fixture.origin}/api/list?x=1`],
      [
        'a read on an ARM URL (several rules look at it)',
        'https://management.azure.com/subscriptions/s-1/resourceGroups/rg?api-version=2024-03-01',
      ],
    ] as const;
    const rows: string[] = [];
    for (const [name, url] of cases) {
      const hooked: number[] = [];
      const bare: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        hooked.push(Number(await page.evaluate(loop(url))));
        bare.push(Number(await evaluateAroundHook(page, loop(url))));
      }
      const [h, b] = [median(hooked), median(bare)];
      rows.push(`| ${name} | ${h.toFixed(2)} | ${b.toFixed(2)} | ${(h - b).toFixed(2)} |`);
    }
    const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    const chromium = `Chromium ${browser.context.browser()?.version() ?? '(version unknown)'}`;
    const block = `<!-- bench-hook:start -->
Run ${new Date().toISOString()} at commit \`${commit}\` on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'},
${chromium}; ${CALLS.toLocaleString('en')} fetch() calls per round, median of ${ROUNDS} rounds; µs per call.

| request (no rule names it) | through the hook | browser’s own fetch | added by the hook |
|---|---:|---:|---:|
${rows.join('\n')}
<!-- bench-hook:end -->`;
    const file = join(ROOT, 'docs', 'benchmarks.md');
    const current = await readFile(file, 'utf8');
    const next = current.includes('<!-- bench-hook:start -->')
      ? current.replace(/<!-- bench-hook:start -->[\s\S]*<!-- bench-hook:end -->/, block)
      : `${current}\n## The extension's page hook\n\n\`npm run bench:extension\`: what the hook adds to a request no console rule names (the\nissue: "no measurable delay"). Measured in Chromium with the built extension, through the hook and\naround it in the same page.\n\n${block}\n`;
    await writeFile(file, next);
    process.stdout.write(`${block}\n`);
  } finally {
    await browser.close();
    await fixture.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
