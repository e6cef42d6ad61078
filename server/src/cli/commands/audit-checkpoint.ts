import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, out, usage } from '../io';

/** `audit checkpoint`: prints the newest signed checkpoint, to be kept somewhere the database is not. */
export function registerAuditCheckpoint(audit: Command): void {
  audit
    .command('checkpoint')
    .description(
      'Print the newest signed checkpoint (JSON) to keep elsewhere; verify --against checks it later.',
    )
    .option('--adopt', 'sign a log from before signed checkpoints, once its chain checks out')
    .addHelpText(
      'after',
      '\nSigns the current head first when events came after the last checkpoint, so the output covers\n' +
        'the log as it is now. What it checks before signing is the events since the last checkpoint,\n' +
        'which vouches for those before it; `audit verify` checks the whole log.\n' +
        'Exit codes: 0 printed, 1 the events since the last checkpoint do not verify (nothing is signed).',
    )
    .action((flags: { adopt?: boolean }) => checkpoint(flags.adopt === true));
}

async function checkpoint(adopt: boolean): Promise<void> {
  const { withCore } = await import('../with-core');
  const { checkpointAudit } = await import('../../services/audit/checkpoint-audit');
  const outcome = await withCore((ctx) => checkpointAudit({ ctx, input: { minEvents: 1, adopt } }));
  if ('refused' in outcome) throw new CliError(`audit checkpoint refused: ${outcome.refused}`);
  out(JSON.stringify(outcome.checkpoint));
}

/** The checkpoint text behind `--against`: a file, an http(s) URL that serves it, or `<seq>:<hash>` itself. */
export async function readAgainst(source: string): Promise<string> {
  // `<seq>:<hash>` is the head itself, as the API's ?head= takes it: nothing to read.
  const { isBareAnchor } = await import('../../services/audit/parse-anchor');
  if (isBareAnchor(source)) return source;
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source).catch((error: Error) => {
      throw new CliError(`--against: cannot fetch ${source}: ${error.message}`);
    });
    if (!res.ok) throw new CliError(`--against: ${source} answered ${res.status}`);
    return res.text();
  }
  return readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw usage(`--against: cannot read ${source}: ${error.code ?? error.message}`);
  });
}
