import { once } from 'node:events';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '@countersign/shared';
import type { Command } from 'commander';
import { CliError, out, usage } from '../io';
import { readAgainst, registerAuditCheckpoint } from './audit-checkpoint';

type ExportFlags = {
  format: string;
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  type?: string;
};

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Verify and export the hash-chained audit log.');
  audit
    .command('verify')
    .description('Recompute the hash chain; names the first event that does not match.')
    .option(
      '--against <FILE|URL|SEQ:HASH>',
      'also check the log still reaches this checkpoint (from audit checkpoint), or this <seq>:<hash> head',
    )
    .addHelpText('after', '\nExit codes: 0 the chain is intact, 1 it is not (the first bad event is named).')
    .action((flags: { against?: string }) => verify(flags.against));
  registerAuditCheckpoint(audit);
  audit
    .command('export')
    .description('Print audit events, oldest first, as NDJSON or CSV.')
    .option('--format <FORMAT>', 'ndjson or csv', 'ndjson')
    .option('--since <ISO>', 'events at or after this time, e.g. 2026-11-21T00:00:00Z')
    .option('--until <ISO>', 'events at or before this time')
    .option('--actor <ID>', 'events by this actor, e.g. user:alice@example.com')
    .option('--action <NAME>', 'events about requests for this action')
    .option('--type <T,T>', `event types (${AUDIT_EVENT_TYPES.join(', ')})`)
    .action((flags: ExportFlags) => exportLog(flags));
}

function date(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw usage(`${flag}: "${value}" is not a date (use ISO 8601, e.g. 2026-11-21T00:00:00Z)`);
  return d;
}

function types(value: string | undefined): AuditEventType[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((t) => {
    const type = AUDIT_EVENT_TYPES.find((known) => known === t.trim());
    if (!type) throw usage(`--type: unknown event type "${t}" (known: ${AUDIT_EVENT_TYPES.join(', ')})`);
    return type;
  });
}

async function verify(againstSource: string | undefined): Promise<void> {
  const against =
    againstSource === undefined ? undefined : { text: await readAgainst(againstSource), path: '--against' };
  const { withCore } = await import('../with-core');
  const { verifyAuditLog } = await import('../../services/audit/read-audit');
  const result = await withCore((ctx) => verifyAuditLog({ ctx, against }));
  if (result.truncatedAfter !== undefined) {
    throw new CliError(`audit log FAILED verification: ${result.problem}`);
  }
  if (!result.ok) {
    throw new CliError(
      `audit log FAILED verification at event ${result.firstBadSeq}: ${result.problem} (${result.events} events verified before it)`,
    );
  }
  out(`audit log ok: ${result.events} events, head ${result.head ?? '(empty)'}`);
}

async function exportLog(flags: ExportFlags): Promise<void> {
  if (flags.format !== 'ndjson' && flags.format !== 'csv')
    throw usage(`--format: "${flags.format}" is not ndjson or csv`);
  const filter = {
    since: date('--since', flags.since),
    until: date('--until', flags.until),
    actor: flags.actor,
    action: flags.action,
    types: types(flags.type),
  };
  const format = flags.format;
  const { withCore } = await import('../with-core');
  const { exportAudit } = await import('../../services/audit/export-audit');
  await withCore(async (ctx) => {
    // The export is made as fast as standard output takes it: a slow pipe holds it, not memory.
    for await (const chunk of exportAudit({ ctx, filter, format })) {
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    }
  });
}
