// Opening the core is kept apart from start.ts, which also pulls in the HTTP app and the Slack and
// Teams modules: the CLI's admin verbs (keys, audit, backup) open only this and start in a fraction
// of the time.
import type { Logger } from 'pino';
import { openDatabase } from './db/client';
import { makeDatabaseFilesPrivate, makeDataFolderPrivate } from './db/private-files';
import type { Env } from './env';
import { oidcOptionsOf } from './oidc-options';
import { filePathOf, resolveSecret } from './secret';
import { secretInUse } from './secret-in-use';
import { startAuditLog } from './services/audit/checkpoint-audit';
import { type Core, createCore } from './services/core';
import { refreshIdpDirectory } from './services/identity/idp-directory';
import type { OutboxSink } from './services/outbox/record';
import { type LoadedPolicy, PolicyStore } from './services/policy/policy-in-force';
import { StartupError } from './startup-error';
import { parseHostList } from './webhooks/callback-hosts';

/** For CLI commands that never evaluate policy (keys, audit): a policy that decides nothing. */
export const INERT_POLICY = 'version: 1\nrules: []\n';

/**
 * What parsing INERT_POLICY gives (a test holds the two equal), written out so that opening the
 * core for an admin verb does not load the policy parser, CEL and YAML: a third of `keys create`.
 */
export function inertPolicy(now: number): LoadedPolicy {
  return {
    policy: {
      groups: {},
      defaults: { timeoutMs: 900_000, grantTtlMs: 300_000 },
      rules: [],
      consoles: [],
      access: { admin: [], audit: [] },
    },
    version: 'sha256:7f2c43106364d811',
    file: '(inert)',
    text: INERT_POLICY,
    loadedAt: now,
  };
}

/** Opens the database and loads the policy: everything the service verbs need, with no transport. */
export async function openCore(
  env: Env,
  log: Logger,
  // consolePack false: the CLI's admin verbs never serve extensions, so the pack is not read.
  options: { policy: 'required' | 'inert'; sinks?: OutboxSink[]; consolePack?: boolean },
): Promise<Core> {
  if (env.COUNTERSIGN_DB_URL.startsWith('file:')) {
    await makeDataFolderPrivate(filePathOf(env.COUNTERSIGN_DB_URL));
  }
  const resolvedSecret = await resolveSecret(env.COUNTERSIGN_SECRET, env.COUNTERSIGN_DB_URL).catch(
    (error: Error) => {
      throw new StartupError(error.message);
    },
  );
  let policy: PolicyStore;
  if (options.policy === 'required') {
    const { describeProblems, readPolicyFile } = await import('./services/policy/policy-store');
    const read = await readPolicyFile(env.COUNTERSIGN_POLICY, Date.now());
    if (!read.ok) {
      throw new StartupError(
        `COUNTERSIGN_POLICY: ${env.COUNTERSIGN_POLICY} is not a valid policy\n${describeProblems(read.problems)}`,
      );
    }
    policy = new PolicyStore(read.loaded);
  } else {
    policy = new PolicyStore(inertPolicy(Date.now()));
  }
  const database = await openDatabase(env.COUNTERSIGN_DB_URL, env.COUNTERSIGN_DB_AUTH_TOKEN).catch(
    (error: Error) => {
      throw new StartupError(`COUNTERSIGN_DB_URL: cannot open ${env.COUNTERSIGN_DB_URL}: ${error.message}`);
    },
  );
  if (env.COUNTERSIGN_DB_URL.startsWith('file:')) {
    await makeDatabaseFilesPrivate(filePathOf(env.COUNTERSIGN_DB_URL)).catch((error: Error) => {
      database.close();
      throw new StartupError(`COUNTERSIGN_DB_URL: cannot make the database private: ${error.message}`);
    });
  }
  // A COUNTERSIGN_SECRET copied from countersign.secret is read as the file is, if the log says so.
  const secret = await secretInUse(database.db, env.COUNTERSIGN_SECRET, resolvedSecret).catch(
    (error: Error) => {
      database.close();
      throw new StartupError(`COUNTERSIGN_DB_URL: cannot read the audit log: ${error.message}`);
    },
  );
  const callbackHosts = parseHostList(env.COUNTERSIGN_WEBHOOK_HOSTS);
  const consolePack =
    options.consolePack === false
      ? undefined
      : await import('./services/extension/load-console-pack')
          .then(({ loadConsolePack }) => loadConsolePack(env.COUNTERSIGN_CONSOLE_PACK))
          .catch((error: Error) => {
            database.close();
            throw new StartupError(error.message);
          });
  const core = createCore({
    database,
    policy,
    secret,
    log,
    sinks: options.sinks ?? [],
    callbackHosts,
    ...(consolePack && { consolePack }),
    outboxLeaseMs: env.COUNTERSIGN_OUTBOX_LEASE_MS,
    stepUp: {
      publicUrl: env.COUNTERSIGN_PUBLIC_URL,
      // The console's own test for signing in through an IdP, so the two never disagree.
      oidc: oidcOptionsOf(env) !== undefined,
      mfaAcr: env.COUNTERSIGN_OIDC_MFA_ACR,
      ...(env.COUNTERSIGN_OIDC_MFA_AMR && { mfaAmr: env.COUNTERSIGN_OIDC_MFA_AMR }),
    },
  });
  await startAuditLog(core);
  await refreshIdpDirectory(core);
  return core;
}
