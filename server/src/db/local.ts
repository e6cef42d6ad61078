import type {
  Client,
  InArgs,
  InStatement,
  InValue,
  ResultSet,
  Row,
  Transaction,
  TransactionMode,
} from '@libsql/client';
import { LibsqlError } from '@libsql/client';
import { type Column, getTableColumns, getTableName, is, SQL, sql, type Table } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import Sqlite from 'libsql';
import { deprovisionedSql } from '../services/identity/deprovisioned';
import * as schema from './schema';
import { actions, auditEvents, grants, outbox } from './schema';

type Connection = Sqlite.Database;
type Statement = Sqlite.Statement;

/**
 * The fast path for a local database file: connections that stay open for the process's life, each
 * statement prepared once per connection. Through @libsql/client every statement is prepared anew,
 * wrapped in `raw(true)` inside a try/catch and mapped through a row object; on the allow path that was
 * a large share of a request's CPU. Remote databases (libsql://, http://) keep @libsql/client.
 *
 * Every connection is opened with the durability settings (a connection that writes must never fall
 * back to a weaker `synchronous`):
 * - the writer, which only the write queue uses, one transaction at a time (group commit);
 * - the reader, for the hot reads outside any transaction (the key lookup), which sees committed rows;
 * - a pool behind `db`/`client` for everything else, as @libsql/client's local pool would serve it.
 */
export type LocalStore = {
  /** Every other use (reads, cold paths, a transaction outside the write queue): pooled connections. */
  client: Client;
  db: ReturnType<typeof drizzle<typeof schema>>;
  /** Drizzle over the writer connection: what the write queue's jobs get as `tx`. */
  writerDb: ReturnType<typeof drizzle<typeof schema>>;
  /** Raw statements on the writer; valid only inside the write queue's open transaction. */
  hot: HotStatements;
  /** Prepared reads on the reader connection. */
  reads: ReadStatements;
  /** The pragmas each of the store's connections reports (tests check every one). */
  pragmas(): { journalMode: unknown; synchronous: unknown }[];
  close(): void;
};

/** Opens a connection with WAL, synchronous=FULL and the busy timeout the CLI's brief locks need. */
export function openConnection(path: string): Connection {
  const connection = new Sqlite(path, { timeout: 5_000 });
  // WAL lets readers run beside the one writer; synchronous=FULL fsyncs every commit, so an audit event
  // the API has acknowledged survives a power cut. Set on every connection: the setting is per connection.
  connection.exec('PRAGMA journal_mode = WAL');
  connection.exec('PRAGMA synchronous = FULL');
  // libsql opens connections with foreign keys on and the `timeout` as busy timeout; said here so that
  // no connection of ours depends on a build's defaults.
  connection.exec('PRAGMA busy_timeout = 5000');
  connection.exec('PRAGMA foreign_keys = ON');
  return connection;
}

export function openLocalStore(path: string): LocalStore {
  const writer = openConnection(path);
  const reader = openConnection(path);
  const writes = new ConnectionClient(() => writer, 1);
  // As many as @libsql/client's default: reads borrow one for a synchronous call, so one serves them
  // all; each transaction opened outside the write queue holds another until it settles.
  const pool = new ConnectionClient(() => openConnection(path), 20);
  return {
    client: pool,
    db: drizzle(pool, { schema }),
    writerDb: drizzle(writes, { schema }),
    hot: new HotStatements(writer),
    reads: new ReadStatements(reader),
    pragmas: () =>
      [writer, reader, ...pool.connections()].map((c) => ({
        journalMode: (c.prepare('PRAGMA journal_mode').raw(true).get() as unknown[])[0],
        synchronous: (c.prepare('PRAGMA synchronous').raw(true).get() as unknown[])[0],
      })),
    close() {
      writes.close();
      pool.close();
      reader.close();
    },
  };
}

// --- the raw statements of the allow path --------------------------------------------------------

/** Prepares each statement on first use and keeps it for the connection's life. */
class Prepared {
  readonly #connection: Connection;
  readonly #cache = new Map<string, Statement>();
  constructor(connection: Connection) {
    this.#connection = connection;
  }
  get(sql: string): Statement {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.#connection.prepare(sql);
      // Rows as arrays, set once: libsql's raw() is a native call, and every read here wants arrays.
      if (statement.reader) statement.raw(true);
      this.#cache.set(sql, statement);
    }
    return statement;
  }
}

/**
 * An INSERT of every column of `table`, its text built once from the schema, and the mapping drizzle's
 * own insert applies to a row: each value through its column's encoder (json columns as JSON text),
 * a missing one as the column's default, else NULL. From the schema, so a column added to the table
 * is written here too without anyone having to remember this file.
 */
function schemaInsert<T extends Table>(table: T) {
  const columns: [string, Column][] = Object.entries(getTableColumns(table));
  const names = columns.map(([, column]) => `"${column.name}"`).join(', ');
  const marks = columns.map(() => '?').join(', ');
  const encode = (column: Column, value: unknown): unknown => {
    if (value !== undefined) return value === null ? null : column.mapToDriverValue(value);
    if (column.default !== undefined && column.default !== null) {
      if (is(column.default, SQL)) throw new Error(`${column.name}: an SQL default has no value to bind`);
      return column.mapToDriverValue(column.default);
    }
    if (column.defaultFn) return column.mapToDriverValue(column.defaultFn());
    return null;
  };
  return {
    sql: `INSERT INTO "${getTableName(table)}" (${names}) VALUES (${marks})`,
    /** The same row inserted only when `condition` (a query's WHERE over `from`) finds a row. */
    conditional: (from: string, condition: string) =>
      `INSERT INTO "${getTableName(table)}" (${names}) SELECT ${marks} FROM ${from} WHERE ${condition}`,
    /** The INSERT of `count` rows in one statement, its values each row's `values` in turn. */
    many: (count: number) =>
      `INSERT INTO "${getTableName(table)}" (${names}) VALUES ${Array(count).fill(`(${marks})`).join(', ')}`,
    values: (row: T['$inferInsert']): unknown[] =>
      columns.map(([key, column]) => encode(column, (row as Record<string, unknown>)[key])),
  };
}

const actionInsert = schemaInsert(actions);
const grantInsert = schemaInsert(grants);
const auditInsert = schemaInsert(auditEvents);
// Past this many events in one append, the rest go in further statements (few distinct texts to cache).
const AUDIT_ROWS_PER_INSERT = 8;
const outboxInsert = schemaInsert(outbox);
const outboxIfCallback = outboxInsert.conditional('actions', 'id = ? AND callback_url IS NOT NULL');

/**
 * The writes every decision makes, the same rows drizzle would write (schemaInsert). Nothing here
 * opens or ends a transaction: the write queue holds one open around its jobs.
 */
export class HotStatements {
  readonly #s: Prepared;
  constructor(connection: Connection) {
    this.#s = new Prepared(connection);
  }

  findIdempotent(requesterId: string, key: string): { id: string; requestHash: string | null } | undefined {
    const row = this.#s
      .get('SELECT id, request_hash FROM actions WHERE requester_id = ? AND idempotency_key = ? LIMIT 1')
      .get(requesterId, key) as [string, string | null] | undefined;
    return row ? { id: row[0], requestHash: row[1] } : undefined;
  }

  insertAction(row: typeof actions.$inferInsert): void {
    this.#s.get(actionInsert.sql).run(actionInsert.values(row));
  }

  insertGrant(row: typeof grants.$inferInsert): void {
    this.#s.get(grantInsert.sql).run(grantInsert.values(row));
  }

  auditHead(): { seq: number; hash: string; at: string } | undefined {
    const row = this.#s.get('SELECT seq, hash, at FROM audit_events ORDER BY seq DESC LIMIT 1').get() as
      | [number, string, string]
      | undefined;
    return row ? { seq: row[0], hash: row[1], at: row[2] } : undefined;
  }

  /**
   * A job's events in one multi-row INSERT (one statement step instead of one per event; an allow
   * appends two). Up to AUDIT_ROWS_PER_INSERT rows a statement, so only a few texts are prepared.
   */
  insertAudit(rows: (typeof auditEvents.$inferInsert)[]): void {
    for (let start = 0; start < rows.length; start += AUDIT_ROWS_PER_INSERT) {
      const part = rows.slice(start, start + AUDIT_ROWS_PER_INSERT);
      this.#s.get(auditInsert.many(part.length)).run(part.flatMap(auditInsert.values));
    }
  }

  /**
   * `onlyWithCallback`: written only if the request names a callbackUrl (one statement, no read first).
   * Whether a row was written.
   */
  insertOutbox(row: typeof outbox.$inferInsert, onlyWithCallback: boolean): boolean {
    const info = onlyWithCallback
      ? this.#s.get(outboxIfCallback).run([...outboxInsert.values(row), row.actionId])
      : this.#s.get(outboxInsert.sql).run(outboxInsert.values(row));
    return info.changes > 0;
  }
}

export type KeyLookupRow = {
  id: string;
  secretHash: string;
  principal: string;
  scopes: string[];
  revokedAt: number | null;
  expiresAt: number | null;
  owner: string | null;
  /** A person's key: SCIM took the person away. */
  gone: boolean;
  /** An agent's key: SCIM took the agent's owner away (what assertOwnerActive refuses). */
  ownerGone: boolean;
};

// The identity provider's word, rendered once from the very SQL authenticate's fallback and the
// review path use (deprovisionedSql), so the two paths cannot come to disagree.
const dialect = new SQLiteSyncDialect();
const DEPROVISIONED = (email: string): string => {
  const rendered = dialect.sqlToQuery(deprovisionedSql(sql.raw(email)));
  if (rendered.params.length > 0) throw new Error('deprovisionedSql took a parameter; bind it here too');
  return rendered.sql;
};

// Rendered at load, not per call: building it through drizzle's dialect was ≈5% of an allow
// request's CPU when it ran inside keyById. One statement answers both the key's own checks and the
// owner check of the submit path, so an agent's request reads the reader connection once. The agent
// is found by its primary key (`'agent:' || a.name = k.principal` scanned every agent on each call).
export const KEY_BY_ID = `SELECT k.id, k.secret_hash, k.principal, k.scopes, k.revoked_at, k.expires_at, a.owner,
    ${DEPROVISIONED('substr(k.principal, 6)')}, ${DEPROVISIONED('a.owner')}
  FROM api_keys k
  LEFT JOIN agents a ON substr(k.principal, 1, 6) = 'agent:' AND a.name = substr(k.principal, 7)
  WHERE k.id = ? LIMIT 1`;
const IS_DEPROVISIONED = `SELECT ${DEPROVISIONED('?')}`;

/** Reads outside any transaction, on the reader connection: they see committed rows only. */
export class ReadStatements {
  readonly #s: Prepared;
  constructor(connection: Connection) {
    this.#s = new Prepared(connection);
  }

  /** The key, its agent's owner and whether SCIM took the key's person or the agent's owner away. */
  keyById(id: string): KeyLookupRow | undefined {
    const row = this.#s.get(KEY_BY_ID).get(id) as
      | [string, string, string, string, number | null, number | null, string | null, number, number | null]
      | undefined;
    if (!row) return undefined;
    const scopes: unknown = JSON.parse(row[3]);
    return {
      id: row[0],
      secretHash: row[1],
      principal: row[2],
      scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
      revokedAt: row[4],
      expiresAt: row[5],
      owner: row[6],
      gone: row[7] === 1,
      ownerGone: row[8] === 1,
    };
  }

  isDeprovisioned(email: string): boolean {
    const row = this.#s.get(IS_DEPROVISIONED).get(email) as [number] | undefined;
    return row?.[0] === 1;
  }
}

// --- a @libsql/client Client over one connection, for drizzle ------------------------------------

type Cached = { statement: Statement; reader: boolean; columns: string[]; columnTypes: string[] };
/** A connection and the statements prepared on it, kept for its life. */
type Conn = { connection: Connection; cache: Map<string, Cached> };

function runOn(conn: Conn, stmt: InStatement | string, args?: InArgs): ResultSet {
  const sql = typeof stmt === 'string' ? stmt : stmt.sql;
  const given = typeof stmt === 'string' ? args : stmt.args;
  try {
    const cached = prepareOn(conn, sql);
    const bound = bindArgs(given);
    if (cached.reader) {
      const raw = cached.statement.all(bound) as unknown[][];
      return resultSet(
        cached.columns,
        cached.columnTypes,
        raw.map((r) => toRow(r, cached.columns)),
        0,
        undefined,
      );
    }
    const info = cached.statement.run(bound);
    return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
  } catch (error) {
    throw toLibsqlError(error);
  }
}

function prepareOn(conn: Conn, sql: string): Cached {
  let cached = conn.cache.get(sql);
  if (!cached) {
    const statement = conn.connection.prepare(sql);
    statement.safeIntegers(true);
    const reader = statement.reader;
    if (reader) statement.raw(true);
    const columns = reader ? statement.columns() : [];
    cached = {
      statement,
      reader,
      columns: columns.map((c) => c.name),
      columnTypes: columns.map((c) => c.type ?? ''),
    };
    // A schema change (a migration by another process) makes SQLite reprepare it: the cache stays valid.
    conn.cache.set(sql, cached);
  }
  return cached;
}

const BEGIN: Record<TransactionMode, string> = {
  write: 'BEGIN IMMEDIATE',
  read: 'BEGIN TRANSACTION READONLY',
  deferred: 'BEGIN DEFERRED',
};

/**
 * Implements the @libsql/client interface over connections that stay open, each with its statement
 * cache, so drizzle runs on them as it runs on @libsql/client. Like @libsql/client's local pool, a
 * call borrows a connection for its (synchronous) length and a transaction for its life, so nothing is
 * shared between an open transaction and the rest; every connection is opened by `open` (with the
 * durability pragmas). Values go in and come out as @libsql/client's local driver converts them
 * (integers as numbers, blobs as ArrayBuffers, booleans as 0/1, SQLite errors as LibsqlError with
 * the same codes). `max` bounds the connections: the writer's client has exactly one.
 */
class ConnectionClient implements Client {
  readonly #open: () => Connection;
  readonly #max: number;
  readonly #all: Conn[] = [];
  #idle: Conn[] = [];
  closed = false;
  readonly protocol = 'file';

  constructor(open: () => Connection, max: number) {
    this.#open = open;
    this.#max = max;
  }

  acquire(): Conn {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.length >= this.#max) {
      throw new LibsqlError(
        `All ${this.#max} of this client's connections are held by open transactions`,
        'TRANSACTION_ACTIVE',
      );
    }
    const conn = { connection: this.#open(), cache: new Map<string, Cached>() };
    this.#all.push(conn);
    return conn;
  }

  release(conn: Conn): void {
    const { connection } = conn;
    // Never hand on a connection mid-transaction: the next borrower would inherit it.
    if (connection.open && connection.inTransaction) {
      try {
        runOn(conn, 'ROLLBACK');
      } catch {
        // SQLite rolled back on its own (a full disk, an I/O error): nothing is left open.
      }
    }
    if (this.closed || !connection.open) return;
    this.#idle.push(conn);
  }

  async execute(stmt: InStatement | string, args?: InArgs): Promise<ResultSet> {
    const conn = this.acquire();
    try {
      return runOn(conn, stmt, args);
    } finally {
      this.release(conn);
    }
  }

  async batch(
    stmts: (InStatement | [string, InArgs?])[],
    mode: TransactionMode = 'deferred',
  ): Promise<ResultSet[]> {
    const tx = await this.transaction(mode);
    try {
      const results = await tx.batch(stmts);
      await tx.commit();
      return results;
    } finally {
      tx.close();
    }
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    const conn = this.acquire();
    try {
      runOn(conn, 'PRAGMA foreign_keys = OFF');
      try {
        const tx = new ConnectionTransaction(this, conn, 'BEGIN DEFERRED');
        const results = await tx.batch([...stmts]);
        await tx.commit();
        return results;
      } finally {
        runOn(conn, 'PRAGMA foreign_keys = ON');
      }
    } finally {
      this.release(conn);
    }
  }

  async transaction(mode: TransactionMode = 'write'): Promise<ConnectionTransaction> {
    const conn = this.acquire();
    try {
      return new ConnectionTransaction(this, conn, BEGIN[mode]);
    } catch (error) {
      this.release(conn);
      throw error;
    }
  }

  async executeMultiple(sql: string): Promise<void> {
    const conn = this.acquire();
    try {
      conn.connection.exec(sql);
    } catch (error) {
      throw toLibsqlError(error);
    } finally {
      this.release(conn);
    }
  }

  async sync(): Promise<undefined> {
    return undefined;
  }

  async reconnect(): Promise<void> {
    throw new LibsqlError('these connections are opened once and not reconnected', 'CLIENT_CLOSED');
  }

  /** The connections it has opened (tests read their pragmas). */
  connections(): Connection[] {
    return this.#all.map((conn) => conn.connection);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#idle = [];
    for (const { connection } of this.#all) if (connection.open) connection.close();
  }
}

class ConnectionTransaction implements Transaction {
  readonly #client: ConnectionClient;
  #conn: Conn | undefined;

  /** Begins at once on `conn`, which it gives back to `client` when it settles. */
  constructor(client: ConnectionClient, conn: Conn, begin: string) {
    runOn(conn, begin);
    this.#client = client;
    this.#conn = conn;
  }

  get closed(): boolean {
    const conn = this.#conn;
    return !conn?.connection.open || !conn.connection.inTransaction;
  }

  #open(): Conn {
    const conn = this.#conn;
    if (!conn || this.closed) throw new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED');
    return conn;
  }

  #settle(): void {
    const conn = this.#conn;
    if (!conn) return;
    this.#conn = undefined;
    this.#client.release(conn); // rolls back whatever is still open
  }

  async execute(stmt: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return runOn(this.#open(), stmt, args);
  }

  async batch(stmts: (InStatement | [string, InArgs?])[]): Promise<ResultSet[]> {
    const results: ResultSet[] = [];
    for (const stmt of stmts) {
      const conn = this.#open();
      results.push(Array.isArray(stmt) ? runOn(conn, stmt[0], stmt[1]) : runOn(conn, stmt));
    }
    return results;
  }

  async executeMultiple(sql: string): Promise<void> {
    try {
      this.#open().connection.exec(sql);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  async commit(): Promise<void> {
    try {
      // With synchronous=FULL, COMMIT returns after the WAL is fsynced: only then does a job's
      // caller hear its answer.
      runOn(this.#open(), 'COMMIT');
    } finally {
      this.#settle();
    }
  }

  async rollback(): Promise<void> {
    this.#settle();
  }

  close(): void {
    this.#settle();
  }
}

function bindArgs(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(toSql);
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    const bare = name[0] === '@' || name[0] === '$' || name[0] === ':' ? name.slice(1) : name;
    named[bare] = toSql(value);
  }
  return named;
}

function toSql(value: InValue): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value;
}

function fromSql(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    }
    return Number(value);
  }
  if (value instanceof Buffer)
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

/** A row as @libsql/client builds one: indexable by position, and by column name (enumerable). */
function toRow(raw: unknown[], columns: string[]): Row {
  const row: Record<string | number, unknown> = {};
  Object.defineProperty(row, 'length', { value: raw.length });
  for (let i = 0; i < raw.length; i++) {
    const value = fromSql(raw[i]);
    Object.defineProperty(row, i, { value });
    const column = columns[i];
    if (column !== undefined && !Object.hasOwn(row, column)) {
      Object.defineProperty(row, column, { value, enumerable: true, configurable: true, writable: true });
    }
  }
  return row as Row;
}

function resultSet(
  columns: string[],
  columnTypes: string[],
  rows: Row[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows,
      rowsAffected,
      lastInsertRowid: lastInsertRowid?.toString() ?? null,
    }),
  };
}

const SQLITE_BASE_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
  16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS',
  23: 'SQLITE_AUTH',
  24: 'SQLITE_FORMAT',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
  27: 'SQLITE_NOTICE',
  28: 'SQLITE_WARNING',
};

/** SQLite's errors as @libsql/client reports them, so callers (storage-errors.ts) read the same codes. */
export function toLibsqlError(error: unknown): unknown {
  if (!(error instanceof Sqlite.SqliteError)) return error;
  const rawCode = (error as { rawCode?: number }).rawCode;
  const code =
    rawCode === undefined
      ? 'SQLITE_UNKNOWN'
      : (SQLITE_BASE_CODES[rawCode & 0xff] ?? `SQLITE_UNKNOWN_${rawCode & 0xff}`);
  return new LibsqlError(error.message, code, error.code, rawCode, error);
}
