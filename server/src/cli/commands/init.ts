import type { Command } from 'commander';
import { out } from '../io';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Create the database and its secret (what the first "serve" does), without serving.')
    .addHelpText(
      'after',
      '\nEvery other admin verb (keys, login, audit, backup…) refuses to run on a database that does not\n' +
        'exist, so one run from the wrong directory never makes a second, empty install. Run this (or\n' +
        '"countersign serve") once first. An existing database is opened and migrated, never replaced.',
    )
    .action(() => init());
}

async function init(): Promise<void> {
  const { withCore } = await import('../with-core');
  const url = await withCore(async ({ core }) => core.database.url, { create: true });
  out(`ready: ${url}`);
}
