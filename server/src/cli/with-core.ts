import type { Actor } from '../context';
import { parseEnv } from '../env';
import { createLogger } from '../logger';
import { openCore } from '../open-core';
import type { Ctx } from '../services/core';

const CLI_ACTOR: Actor = { kind: 'system', id: 'system:cli' };

/** Runs one CLI command against the database named by the environment, as the operator. */
export async function withCore<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const env = parseEnv(process.env);
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
