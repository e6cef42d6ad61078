import { fileURLToPath } from 'node:url';
import { type Client, createClient } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { filePathOf } from '../secret';
import { type LocalStore, openLocalStore } from './local';
import * as schema from './schema';
import { FileIdentity, markDatabaseCreated, refuseVanishedDatabase } from './storage-identity';

export type Db = LibSQLDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that can run a query: the database itself or an open transaction. */
export type Queryable = Db | Tx;

export type Database = {
  db: Db;
  client: Client;
  url: string;
  isLocal: boolean;
  /**
   * For a `file:` database, the write queue's own connection and the hot statements (local.ts);
   * undefined for a remote database (and `:memory:`), where everything goes through `client`.
   */
  local?: LocalStore;
  /** Throws StorageUnavailable if the local file was deleted or replaced since it was opened. */
  checkStorage(onLost: (reason: string) => void): void;
  close(): void;
};

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export function isLocalUrl(url: string): boolean {
  return url.startsWith('file:') || url === ':memory:';
}

/** Opens the database, makes the audit log durable, and applies pending migrations. */
export async function openDatabase(url: string, authToken?: string): Promise<Database> {
  const isLocal = isLocalUrl(url);
  const path = url.startsWith('file:') ? filePathOf(url) : undefined;
  if (path) await refuseVanishedDatabase(path);
  // `timeout` is SQLite's busy timeout: another process (the CLI) may hold the write lock briefly.
  const client = createClient(
    isLocal ? { url, timeout: 5_000 } : { url, ...(authToken ? { authToken } : {}) },
  );
  if (isLocal) {
    // WAL lets readers run beside the one writer; synchronous=FULL fsyncs every commit, so an
    // audit event the API has acknowledged survives a power cut. Group commit keeps that affordable.
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = FULL');
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  if (path) await markDatabaseCreated(path);
  const identity = path ? new FileIdentity(path) : undefined;
  const checkStorage = (onLost: (reason: string) => void) => identity?.check(onLost);
  if (!path) return { db, client, url, isLocal, checkStorage, close: () => client.close() };
  // A local file: from here on, connections that stay open with their statements prepared once
  // (local.ts), opened after the migrations so they prepare against the current schema.
  client.close();
  const local = openLocalStore(path);
  return {
    db: local.db,
    client: local.client,
    url,
    isLocal,
    local,
    checkStorage,
    close: () => local.close(),
  };
}
