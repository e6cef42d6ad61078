import { EnvError } from '../env';
import { DomainError } from '../errors';
import { StartupError } from '../startup-error';
import { CliError, EXIT, err, out } from './io';
import { AUDIT_USAGE, EXEC_USAGE, KEYS_USAGE, MCP_USAGE, POLICY_USAGE, SERVE_USAGE } from './usage';

const USAGE = `Countersign: action-level approvals for AI agents.

${SERVE_USAGE}
${KEYS_USAGE}
${POLICY_USAGE}
${AUDIT_USAGE}
${EXEC_USAGE}
${MCP_USAGE}

Environment (server and keys/policy/audit commands): COUNTERSIGN_DB_URL (default
file:./data/countersign.db), COUNTERSIGN_DB_AUTH_TOKEN, COUNTERSIGN_POLICY (default
./countersign.policy.yaml), PORT (default 8787), HOST (default 127.0.0.1), COUNTERSIGN_SECRET,
COUNTERSIGN_MAX_BODY_BYTES, COUNTERSIGN_RATE_LIMIT, COUNTERSIGN_SWEEP_INTERVAL_MS,
COUNTERSIGN_WEBHOOK_HOSTS, COUNTERSIGN_CONSOLE_PACK, LOG_LEVEL; the Slack bot: SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET or SLACK_APP_TOKEN, SLACK_APPROVALS_CHANNEL, SLACK_API_URL.
exec and mcp read COUNTERSIGN_URL and COUNTERSIGN_KEY. The README explains each.`;

// Each command is loaded when it runs: `exec` and `mcp` talk HTTP and never need the database driver.
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  serve: async () => (await import('./commands/serve')).serveCommand,
  keys: async () => (await import('./commands/keys')).keysCommand,
  policy: async () => (await import('./commands/policy')).policyCommand,
  audit: async () => (await import('./commands/audit')).auditCommand,
  exec: async () => (await import('./commands/exec')).execCommand,
  mcp: async () => (await import('./commands/mcp')).mcpCommand,
};

/** Every failure becomes one readable line and a sysexits code; never a stack trace. */
function report(error: unknown): number {
  if (error instanceof CliError) {
    err(error.message);
    return error.exitCode;
  }
  if (error instanceof EnvError || error instanceof StartupError) {
    err(error.message);
    return EXIT.config;
  }
  if (error instanceof DomainError) {
    err(`${error.code}: ${error.message}`);
    return EXIT.failed;
  }
  if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    err(`${error.message} (see countersign --help)`);
    return EXIT.usage;
  }
  err(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.COUNTERSIGN_DEBUG) console.error(error);
  return EXIT.software;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help')
    return out(USAGE);
  const load = COMMANDS[command];
  if (!load) throw new CliError(`unknown command "${command}"\n\n${USAGE}`, EXIT.usage);
  await (await load())(rest);
}

// `countersign audit export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).catch((error: unknown) => {
  process.exitCode = report(error);
});
