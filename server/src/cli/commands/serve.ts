import { parseArgs } from 'node:util';
import { parseEnv } from '../../env';
import { DomainError } from '../../errors';
import { createLogger } from '../../logger';
import { reloadPolicy } from '../../services/policy/reload-policy';
import { startServer } from '../../start';

export async function serveCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      policy: { type: 'string' },
      db: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  // Flags win over the environment; both go through the same validation.
  const env = parseEnv({
    ...process.env,
    ...(values.port !== undefined && { PORT: values.port }),
    ...(values.host !== undefined && { HOST: values.host }),
    ...(values.policy !== undefined && { COUNTERSIGN_POLICY: values.policy }),
    ...(values.db !== undefined && { COUNTERSIGN_DB_URL: values.db }),
  });
  const log = createLogger(env.LOG_LEVEL);
  const server = await startServer(env, log);
  process.stdout.write(
    `Countersign listening on ${server.url} (policy ${server.core.policy.current.version})\n`,
  );

  process.on('SIGHUP', () => {
    reloadPolicy({ ctx: { core: server.core, actor: { kind: 'system', id: 'system:server' } } }).catch(
      (error: unknown) => {
        // A refused reload is already logged and audited; the last good policy stays in force.
        if (!(error instanceof DomainError)) log.error({ err: error }, 'policy reload failed');
      },
    );
  });
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
