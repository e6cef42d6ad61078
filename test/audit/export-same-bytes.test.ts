// The export of a local database is written from the stored text (SQLite joins whole pages of NDJSON
// and JSON; CSV rows from raw rows) instead of parsing and re-serialising each event. For every
// format and filter its bytes must be the ones the export has always written: JSON.stringify of each
// event as queryAudit yields it, around the same head and tail.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEventType } from '@countersign/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditInput, appendAudit } from '../../server/src/audit/emit';
import { type ExportFormat, exportChunks } from '../../server/src/audit/export';
import { type AuditFilter, csvHeader, csvRow, queryAudit } from '../../server/src/audit/query';
import { type Database, openDatabase } from '../../server/src/db/client';
import { filePathOf } from '../../server/src/secret';

const TYPES: AuditEventType[] = ['action.submitted', 'action.allowed', 'grant.issued', 'key.created'];
// Every control character but NUL, quotes, backslashes, non-ASCII, a line separator and an emoji.
const AWKWARD = `${Array.from({ length: 31 }, (_, c) => String.fromCharCode(c + 1)).join('')}"\\/é\u2028\u007f😀`;
// The libsql driver cuts text short at a NUL, where SQLite does not: such rows are written row by row.
const WITH_NUL = `a\u0000b${AWKWARD}`;

function event(i: number): AuditInput {
  const data: Record<string, unknown> = {
    action: `svc.${['read', 'write', 'delete'][i % 3]}`,
    n: i,
    ratio: i / 7,
    big: 1e21 * (i % 2 ? 1 : -1),
    nested: { list: [i, null, true, 'x'], text: i % 50 === 0 ? AWKWARD : `t${i}` },
  };
  // Pages are 500 rows. Index-like keys (JSON.parse reorders them) in the fifth page and NULs from the
  // fourteenth, so pages SQLite writes whole and pages written row by row alternate in one export.
  if (i >= 2_100 && i < 2_200 && i % 10 === 0) Object.assign(data, { '10': 'a', '9': 'b', z: { '1': 1 } });
  const nul = i >= 6_500 && i % 40 === 0;
  return {
    type: TYPES[i % TYPES.length] ?? 'action.submitted',
    actor: nul ? `user:${WITH_NUL}` : i % 97 === 0 ? `user:${AWKWARD}` : `agent:bot-${i % 5}`,
    subject: i % 4 === 0 ? null : nul ? WITH_NUL : i % 33 === 0 ? AWKWARD : `act_${i % 300}`,
    data,
  };
}

const START = Date.parse('2026-11-01T00:00:00.000Z');
const EVENTS = 7_000;
let dir: string;
let database: Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'countersign-export-'));
  database = await openDatabase(`file:${join(dir, 'audit.db')}`);
  for (let i = 0; i < EVENTS; i += 250) {
    const batch = Array.from({ length: 250 }, (_, k) => event(i + k));
    // One second per batch: the time filters cut between batches.
    await database.db.transaction((tx) => appendAudit(tx, START + i * 1_000, batch));
  }
});

afterAll(async () => {
  database.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the export wrote before: each event from queryAudit through JSON.stringify or csvRow. */
async function before(filter: AuditFilter, format: ExportFormat): Promise<string> {
  let text = format === 'json' ? '{"events":[' : format === 'csv' ? csvHeader() : '';
  let i = 0;
  for await (const e of queryAudit(database.db, filter)) {
    if (format === 'json') text += `${i === 0 ? '' : ','}${JSON.stringify(e)}`;
    else if (format === 'ndjson') text += `${JSON.stringify(e)}\n`;
    else text += csvRow(e);
    i += 1;
  }
  return format === 'json' ? `${text}]}\n` : text;
}

async function now(filter: AuditFilter, format: ExportFormat, file: string | undefined): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of exportChunks(database.db, filter, format, file)) {
    parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** Where two texts first differ, with a little of each around it (a whole export is too long to diff). */
function firstDifference(actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i += 1;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, i - 80), i + 80));
  return `at ${i} of ${expected.length}: ${around(actual)} instead of ${around(expected)}`;
}

const at = (seconds: number) => new Date(START + seconds * 1_000);
const FILTERS: Record<string, AuditFilter> = {
  none: {},
  since: { since: at(2_000) },
  until: { until: at(3_000) },
  'since and until': { since: at(1_000), until: at(4_000) },
  actor: { actor: 'agent:bot-3' },
  'awkward actor': { actor: `user:${AWKWARD}` },
  action: { action: 'svc.write' },
  'one type': { types: ['grant.issued'] },
  'two types': { types: ['action.allowed', 'key.created'] },
  subject: { subject: 'act_7' },
  everything: {
    since: at(500),
    until: at(4_500),
    actor: 'agent:bot-1',
    action: 'svc.read',
    types: ['action.submitted', 'grant.issued'],
  },
  'nothing matches': { actor: 'agent:nobody' },
};

describe('audit export from a local file', () => {
  for (const format of ['ndjson', 'json', 'csv'] as const) {
    for (const [name, filter] of Object.entries(FILTERS)) {
      it(`${format}, filter ${name}: the same bytes as before`, async () => {
        const expected = await before(filter, format);
        const file = await now(filter, format, filePathOf(database.url));
        expect(firstDifference(file.toString('utf8'), expected)).toBeUndefined();
        // The remote path (drizzle) writes the same too.
        expect(
          firstDifference((await now(filter, format, undefined)).toString('utf8'), expected),
        ).toBeUndefined();
      });
    }
  }

  it('the whole log covers both kinds of page and every awkward value', async () => {
    const expected = await before({}, 'ndjson');
    expect(expected.split('\n').length - 1).toBe(EVENTS);
    expect(expected).toContain('\\u0001');
    expect(expected).toContain('\u2028');
    expect(expected).toContain('"10":"a"');
  });
});
