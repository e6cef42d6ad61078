import type { Command } from 'commander';
import { CliError, EXIT, out } from '../io';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'Write a consistent copy of the database to FILE (mode 0600), verified before it reports success.',
    )
    .argument('<FILE>', 'where the copy goes; must not exist')
    .addHelpText(
      'after',
      '\nThe server may keep running. The copy is checked (SQLite integrity, the audit chain, a checkpoint\n' +
        'signed just before) and only then put at FILE. The secret is not in the copy: keep it with the\n' +
        'copy and restore it beside it as countersign.secret, or run the restore with the same value in\n' +
        'COUNTERSIGN_SECRET (COUNTERSIGN_SECRET=$(cat countersign.secret) works: docs/security.md).\n' +
        'A libSQL server URL is refused.',
    )
    .action((file: string) => backup(file));
}

async function backup(file: string): Promise<void> {
  const { withCore } = await import('../with-core');
  const { backupDatabase } = await import('../../services/backup/backup-database');
  const result = await withCore((ctx) => backupDatabase({ ctx, file }));
  if ('cannotCreate' in result) throw new CliError(`backup: ${result.cannotCreate}`, EXIT.cantCreate);
  if ('refused' in result) throw new CliError(`backup failed, nothing written: ${result.refused}`);
  out(
    `backup ok: ${result.file} (${result.bytes} bytes, ${result.verification.events} events, ` +
      `verified against the checkpoint at seq ${result.checkpoint.seq})`,
  );
}
