import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Actor } from '../context';
import type { Database } from '../db/client';
import { WriteQueue } from '../db/write-queue';
import { ActionEvents } from './action-events';
import type { ConsolePack } from './extension/extension-rules';
import { GroupDirectory } from './group-directory';
import { IdpDirectory } from './identity/idp-directory';
import type { OutboxSink } from './outbox/record';
import type { PolicyStore } from './policy/policy-store';
import { type StepUpSettings, stepUpSettings } from './step-up/settings';

/** Everything the service verbs need, built once at start-up. Nothing here knows HTTP or Slack. */
export type Core = {
  database: Database;
  writes: WriteQueue;
  policy: PolicyStore;
  events: ActionEvents;
  /** Derives grant tokens, so only their hashes need to be stored. */
  secret: Buffer;
  now: () => number;
  log: Logger;
  /** Transports that hear of changes through the outbox; empty when none is configured. */
  sinks: OutboxSink[];
  /** Hosts a request's callbackUrl may name (COUNTERSIGN_WEBHOOK_HOSTS); empty refuses every callback. */
  callbackHosts: readonly string[];
  /** The default console pack served to browser extensions beside the policy's own console rules. */
  consolePack: ConsolePack;
  /** Slack user groups named in the policy, as the bot last resolved them. */
  directory: GroupDirectory;
  /** Groups and deactivated people from the identity provider (SCIM), as last read from the database. */
  idp: IdpDirectory;
  /** This process among the nodes sharing the database: who holds an outbox lease. */
  nodeId: string;
  /** How long a node may hold an outbox delivery before another node takes it over. */
  outboxLeaseMs: number;
  /** Where step-ups are finished (the console) and what counts as one (issue 14). */
  stepUp: StepUpSettings;
};

/** What every verb receives: the core and who is acting. */
export type Ctx = { core: Core; actor: Actor };

export function createCore(options: {
  database: Database;
  policy: PolicyStore;
  secret: Buffer;
  log: Logger;
  now?: () => number;
  sinks?: OutboxSink[];
  callbackHosts?: readonly string[];
  consolePack?: ConsolePack;
  outboxLeaseMs?: number;
  stepUp?: Partial<StepUpSettings>;
}): Core {
  const { database, log } = options;
  // One critical line when the database file vanishes; every write after it is refused with 503.
  const checkStorage = () =>
    database.checkStorage((reason) => log.fatal({ db: database.url }, `${reason}: refusing writes`));
  return {
    database: options.database,
    // A local file's writes run on its own long-lived writer connection, with raw statements for the
    // hot path (db/local.ts); a remote database's on @libsql/client, through drizzle alone.
    writes: new WriteQueue(
      options.database.local?.writerDb ?? options.database.db,
      128,
      checkStorage,
      options.database.local?.hot,
    ),
    policy: options.policy,
    events: new ActionEvents(),
    secret: options.secret,
    now: options.now ?? Date.now,
    log: options.log,
    sinks: options.sinks ?? [],
    callbackHosts: options.callbackHosts ?? [],
    consolePack: options.consolePack ?? { version: 'none', consoles: [] },
    directory: new GroupDirectory(),
    idp: new IdpDirectory(),
    nodeId: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    outboxLeaseMs: options.outboxLeaseMs ?? 30_000,
    stepUp: stepUpSettings(options.stepUp),
  };
}
