import type { Command } from 'commander';
import type { RunningServer } from '../../start';
import { namingFlags } from '../flag-names';

type ServeFlags = { port?: string; host?: string; policy?: string; db?: string };

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the Countersign server (HTTP API, Slack bot when configured, console).')
    .option('--port <PORT>', 'port to listen on (env PORT, default 8787; 0 picks a free one)')
    .option('--host <HOST>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--policy <FILE>', 'policy file (env COUNTERSIGN_POLICY, default ./countersign.policy.yaml)')
    .option('--db <URL>', 'database URL (env COUNTERSIGN_DB_URL, default file:./data/countersign.db)')
    .addHelpText(
      'after',
      '\nSIGHUP reloads the policy file; SIGINT or SIGTERM stops the server. One process serves a database\nfile: a second serve on it exits 78, naming the pid in countersign.pid beside it.',
    )
    .action((flags: ServeFlags) => namingFlags(flagVariables(flags), () => serve(flags)));
}

/** The variables this run's flags set, each with the flag that set it. */
function flagVariables(flags: ServeFlags): Record<string, string> {
  return {
    ...(flags.port !== undefined && { PORT: '--port' }),
    ...(flags.host !== undefined && { HOST: '--host' }),
    ...(flags.policy !== undefined && { COUNTERSIGN_POLICY: '--policy' }),
    ...(flags.db !== undefined && { COUNTERSIGN_DB_URL: '--db' }),
  };
}

async function serve(flags: ServeFlags): Promise<void> {
  // Loaded here, not at the top: `countersign exec --help` must not pay for the server.
  const { parseEnv } = await import('../../env');
  const { DomainError } = await import('../../errors');
  const { createLogger } = await import('../../logger');
  const { reloadPolicy } = await import('../../services/policy/reload-policy');
  const { startServer } = await import('../../start');
  const { claimPidFile } = await import('../../pid-file');
  // Flags win over the environment; both go through the same validation.
  const env = parseEnv({
    ...process.env,
    ...(flags.port !== undefined && { PORT: flags.port }),
    ...(flags.host !== undefined && { HOST: flags.host }),
    ...(flags.policy !== undefined && { COUNTERSIGN_POLICY: flags.policy }),
    ...(flags.db !== undefined && { COUNTERSIGN_DB_URL: flags.db }),
  });
  const log = createLogger(env.LOG_LEVEL);
  // Claimed before the database is opened: a second serve on the same file is refused before it
  // migrates, audits a policy load or starts a sweeper beside the first.
  const pidFile = await claimPidFile(env.COUNTERSIGN_DB_URL, log);
  // Removed on any way out (a clean stop, a failed start, an uncaught error), never while still serving.
  if (pidFile) process.once('exit', () => pidFile.remove());
  // On from the moment the pid file names us: a SIGHUP sent while we start must not kill us (Node's
  // default); it reloads once we are up, as the file may have changed after start-up read it.
  let started: RunningServer | undefined;
  let reloadWhenStarted = false;
  const reload = (core: RunningServer['core']) =>
    reloadPolicy({ ctx: { core, actor: { kind: 'system', id: 'system:server' } } }).catch(
      (error: unknown) => {
        // A refused reload is already logged and audited; the last good policy stays in force.
        if (!(error instanceof DomainError)) log.error({ err: error }, 'policy reload failed');
      },
    );
  process.on('SIGHUP', () => {
    if (started) void reload(started.core);
    else reloadWhenStarted = true;
  });
  const server = await startServer(env, log);
  started = server;
  if (reloadWhenStarted) void reload(server.core);
  // Under `npm start` one Ctrl-C arrives twice (from the terminal and forwarded by npm), and an
  // impatient operator may press it again: a signal during shutdown must not fall through to Node's
  // default (exit at once, pid file left behind), so the handlers stay on and later signals are no-ops.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Announced once the handlers are on: whoever reads this line may signal us straight away.
  process.stdout.write(
    `Countersign listening on ${server.url} (policy ${server.core.policy.current.version})\n`,
  );
  if (pidFile) process.stdout.write(`Reload the policy with: kill -HUP $(cat ${pidFile.path})\n`);
}
