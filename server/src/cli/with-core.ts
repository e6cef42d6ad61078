import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Actor } from '../context';
import { type Env, parseEnv } from '../env';
import { createLogger } from '../logger';
import { openCore } from '../open-core';
import { filePathOf } from '../secret';
import type { Ctx } from '../services/core';
import { CliError, EXIT } from './io';

const CLI_ACTOR: Actor = { kind: 'system', id: 'system:cli' };

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Only `serve` makes a database and its secret. An admin verb run from the wrong directory (the
 * default URL is relative) would otherwise make a new, empty install there: keys and sign-in links
 * that the real server does not know, and an `audit verify` that passes on the wrong log.
 */
async function refuseMissingInstall(env: Env): Promise<void> {
  const url = env.COUNTERSIGN_DB_URL;
  if (!url.startsWith('file:')) return;
  const database = resolve(filePathOf(url));
  const pointAt = `run it where "countersign serve" runs, or set COUNTERSIGN_DB_URL=file:/path/to/countersign.db (only "countersign serve" and "countersign init" create one)`;
  if (!(await exists(database))) {
    throw new CliError(`no database at ${database} (COUNTERSIGN_DB_URL=${url}): ${pointAt}`, EXIT.noInput);
  }
  if (env.COUNTERSIGN_SECRET) return;
  const secret = join(dirname(database), 'countersign.secret');
  if (!(await exists(secret))) {
    // A new secret here would sign with a key the database's checkpoints and grants do not know.
    throw new CliError(
      `no secret at ${secret} beside the database: restore the install's countersign.secret there, or set COUNTERSIGN_SECRET to the value it runs with`,
      EXIT.noInput,
    );
  }
}

/**
 * Runs one CLI command against the database named by the environment, as the operator. `create`:
 * `countersign init` only, which may make the database and its secret.
 */
export async function withCore<T>(
  fn: (ctx: Ctx) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const env = parseEnv(process.env);
  if (!options.create) await refuseMissingInstall(env);
  const core = await openCore(env, createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL), {
    policy: 'inert',
    consolePack: false,
  });
  try {
    return await fn({ core, actor: CLI_ACTOR });
  } finally {
    core.database.close();
  }
}
