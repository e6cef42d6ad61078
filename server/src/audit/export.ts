import type { AuditEvent } from '@countersign/shared';
import Sqlite from 'libsql';
import type { Queryable } from '../db/client';
import { type AuditFilter, csvCell, csvHeader, csvRow, queryAudit } from './query';

export type ExportFormat = 'json' | 'ndjson' | 'csv';

/** A row as stored, in column order: seq, at, type, actor, subject, data, prev_hash, hash. */
type StoredRow = [number, string, string, string, string | null, string, string, string];

// Rows are gathered into writes of about 64 KB: a stream write per row (a million for a large export)
// cost more than formatting the rows.
const CHUNK_CHARS = 64 * 1024;
// Each page is one short read: no read transaction stays open while a slow client downloads, which
// would keep the WAL from being checkpointed. Pages of 500 (≈170 KB of NDJSON) cost no more CPU than
// pages of 2,000 and keep the server's RSS within ≈40 MB of idle through a million-event export.
const FILE_PAGE = 500;

const q = JSON.stringify;

// An object key that is an array index ("7", "10"): JSON.parse puts such keys first in numeric order,
// where canonical JSON sorts them as text, so only then does re-serialising change the stored text.
// Canonical JSON has no spaces, so every key follows a `{` or a `,`; a match inside a string value
// only costs the slow path.
const INDEX_KEY = /[{,]"(?:0|[1-9]\d*)":/;

/**
 * The data as the API has always written it, `JSON.stringify(JSON.parse(data))`, without the parse
 * and stringify: the stored text is the event's canonical JSON (the chain hashes it as stored), which
 * is that same text unless an object has index-like keys.
 */
const dataJson = (data: string): string => (INDEX_KEY.test(data) ? q(JSON.parse(data)) : data);

/** `JSON.stringify(event)` of the event the row holds, keys in the API's order, from the stored text. */
const eventJson = ([seq, at, type, actor, subject, data, prevHash, hash]: StoredRow): string =>
  `{"seq":${q(seq)},"at":${q(at)},"type":${q(type)},"actor":${q(actor)},"subject":${q(subject)},` +
  `"data":${dataJson(data)},"prevHash":${q(prevHash)},"hash":${q(hash)}}`;

const eventCsv = ([seq, at, type, actor, subject, data, prevHash, hash]: StoredRow): string =>
  `${[seq, at, type, actor, subject, dataJson(data), prevHash, hash].map(csvCell).join(',')}\n`;

type Format = {
  type: string;
  head: string;
  stored: (row: StoredRow, i: number) => string;
  event: (event: AuditEvent, i: number) => string;
  tail: string;
};

export const FORMATS: Record<ExportFormat, Format> = {
  json: {
    type: 'application/json',
    head: '{"events":[',
    stored: (row, i) => `${i === 0 ? '' : ','}${eventJson(row)}`,
    event: (e, i) => `${i === 0 ? '' : ','}${JSON.stringify(e)}`,
    tail: ']}\n',
  },
  ndjson: {
    type: 'application/x-ndjson',
    head: '',
    stored: (row) => `${eventJson(row)}\n`,
    event: (e) => `${JSON.stringify(e)}\n`,
    tail: '',
  },
  csv: { type: 'text/csv; charset=utf-8', head: csvHeader(), stored: eventCsv, event: csvRow, tail: '' },
};

// The event's JSON, `JSON.stringify(event)` byte for byte, written by SQLite: json_quote escapes a
// string as JSON.stringify does (the same short escapes, \u00xx in lower case for other control
// characters), and the data is its stored canonical text.
const LINE_SQL =
  `'{"seq":' || seq || ',"at":' || json_quote(at) || ',"type":' || json_quote(type) || ` +
  `',"actor":' || json_quote(actor) || ',"subject":' || json_quote(subject) || ',"data":' || data || ` +
  `',"prevHash":' || json_quote(prev_hash) || ',"hash":' || json_quote(hash) || '}'`;

// Rows SQLite may not write as the API does: a column that is not text (json_quote would write a
// real its own way), data with a key that may be an index (see INDEX_KEY; this test is wider), or
// text with a NUL character, which the libsql driver cuts short where SQLite does not (stored data
// is canonical JSON, where a NUL is escaped).
const AS_STORED_SQL =
  "typeof(at) = 'text' AND typeof(type) = 'text' AND typeof(actor) = 'text' AND " +
  "typeof(subject) IN ('text', 'null') AND typeof(data) = 'text' AND typeof(prev_hash) = 'text' AND " +
  `typeof(hash) = 'text' AND data NOT GLOB '*[{,]"[0-9]*' AND ` +
  'instr(at, char(0)) + instr(type, char(0)) + instr(actor, char(0)) + ifnull(instr(subject, char(0)), 0) + ' +
  'instr(prev_hash, char(0)) + instr(hash, char(0)) = 0';

/** A page of an export: its text joined by SQLite, or its rows when SQLite cannot write them. */
type Page = { text: Buffer; rows?: undefined } | { text?: undefined; rows: StoredRow[] };

/**
 * The matching rows of a local database file, read through a read-only handle of its own a page at
 * a time. With `joined` (JSON and NDJSON) SQLite writes each page's text whole, as bytes: building a
 * JavaScript string per column of a million rows cost three times as much as the export itself.
 * `joined` says how: `between` before every page but the first, `separator` between its events,
 * `suffix` after its last.
 */
function* storedPages(
  path: string,
  filter: AuditFilter,
  joined: { between: string; separator: string; suffix: string } | undefined,
): Generator<Page> {
  // The same conditions as queryAudit; ISO-8601 strings of one format compare in time order.
  const conditions = ['seq > ?'];
  const params: string[] = [];
  const where = (sql: string, ...values: string[]) => {
    conditions.push(sql);
    params.push(...values);
  };
  if (filter.since) where('at >= ?', filter.since.toISOString());
  if (filter.until) where('at <= ?', filter.until.toISOString());
  if (filter.actor) where('actor = ?', filter.actor);
  if (filter.subject) where('subject = ?', filter.subject);
  if (filter.types?.length) where(`type IN (${filter.types.map(() => '?').join(',')})`, ...filter.types);
  if (filter.action) where("json_extract(data, '$.action') = ?", filter.action);
  const matching = `FROM audit_events WHERE ${conditions.join(' AND ')} ORDER BY seq LIMIT ${FILE_PAGE}`;
  const db = new Sqlite(path, { readonly: true, fileMustExist: true });
  try {
    const rowsOf = db
      .prepare(`SELECT seq, at, type, actor, subject, data, prev_hash, hash ${matching}`)
      .raw(true);
    const textOf = db
      .prepare(
        // The aggregate reads the subquery's rows in its order, seq; an ORDER BY inside group_concat
        // would sort each page again (a fifth of the export's time). The byte-for-byte test holds
        // this for the libsql build the lockfile pins.
        'SELECT CAST(? || group_concat(line, ?) || ? AS BLOB), count(*), max(seq), min(stored) ' +
          `FROM (SELECT seq, ${LINE_SQL} AS line, ${AS_STORED_SQL} AS stored ${matching})`,
      )
      .raw(true);
    let after = 0;
    for (;;) {
      if (joined) {
        const prefix = after === 0 ? '' : joined.between;
        const [text, n, last, stored] = textOf.get(
          prefix,
          joined.separator,
          joined.suffix,
          after,
          ...params,
        ) as [Buffer | null, number, number | null, number | null];
        if (text === null || last === null) return;
        if (stored === 1) {
          yield { text };
          if (n < FILE_PAGE) return;
          after = last;
          continue;
        }
      }
      const rows = rowsOf.all(after, ...params) as StoredRow[];
      const last = rows.at(-1);
      if (!last) return;
      yield { rows };
      if (rows.length < FILE_PAGE) return;
      after = last[0];
    }
  } finally {
    db.close();
  }
}

/**
 * The matching events as an export file's text in `format`, in chunks (of about 64 KB, or a page),
 * produced only as fast as they are taken: an export of any size streams in flat memory. A local file
 * (`file`) is read as stored; otherwise (a remote libSQL database) through drizzle.
 */
export async function* exportChunks(
  db: Queryable,
  filter: AuditFilter,
  format: ExportFormat,
  file: string | undefined,
): AsyncGenerator<string | Uint8Array> {
  const f = FORMATS[format];
  let pending = f.head;
  let i = 0;
  if (file) {
    const joined =
      format === 'ndjson'
        ? { between: '', separator: '\n', suffix: '\n' }
        : format === 'json'
          ? { between: ',', separator: ',', suffix: '' }
          : undefined;
    for (const page of storedPages(file, filter, joined)) {
      if (page.text) {
        if (pending !== '') yield pending;
        pending = '';
        yield page.text;
        i = 1;
        continue;
      }
      for (const row of page.rows) {
        pending += f.stored(row, i++);
        if (pending.length >= CHUNK_CHARS) {
          yield pending;
          pending = '';
        }
      }
    }
  } else {
    for await (const event of queryAudit(db, filter)) {
      pending += f.event(event, i++);
      if (pending.length >= CHUNK_CHARS) {
        yield pending;
        pending = '';
      }
    }
  }
  yield pending + f.tail;
}
