import { parseArgs } from 'node:util';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '@countersign/shared';
import { csvHeader, csvRow } from '../../audit/query';
import { readAudit, verifyAuditLog } from '../../services/audit/read-audit';
import { CliError, out, usage } from '../io';
import { AUDIT_USAGE } from '../usage';
import { withCore } from '../with-core';

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

async function exportAudit(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string', default: 'ndjson' },
      since: { type: 'string' },
      until: { type: 'string' },
      actor: { type: 'string' },
      action: { type: 'string' },
      type: { type: 'string' },
    },
    strict: true,
  });
  if (values.format !== 'ndjson' && values.format !== 'csv')
    throw usage(`--format: "${values.format}" is not ndjson or csv`);
  const filter = {
    since: date('--since', values.since),
    until: date('--until', values.until),
    actor: values.actor,
    action: values.action,
    types: types(values.type),
  };
  const csv = values.format === 'csv';
  await withCore(async (ctx) => {
    if (csv) process.stdout.write(csvHeader());
    for await (const event of readAudit({ ctx, filter })) {
      process.stdout.write(csv ? csvRow(event) : `${JSON.stringify(event)}\n`);
    }
  });
}

export async function auditCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'verify' && rest.length === 0) {
    const result = await withCore((ctx) => verifyAuditLog({ ctx }));
    if (!result.ok) {
      throw new CliError(
        `audit log FAILED verification at event ${result.firstBadSeq}: ${result.problem} (${result.events} events verified before it)`,
      );
    }
    out(`audit log ok: ${result.events} events, head ${result.head ?? '(empty)'}`);
    return;
  }
  if (sub === 'export') return exportAudit(rest);
  throw usage(`usage:\n${AUDIT_USAGE}`);
}
