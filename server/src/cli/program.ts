import { Command } from 'commander';
import { registerAgents } from './commands/agents';
import { registerAudit } from './commands/audit';
import { registerBackup } from './commands/backup';
import { registerExec } from './commands/exec';
import { registerInit } from './commands/init';
import { registerKeys } from './commands/keys';
import { registerLogin } from './commands/login';
import { registerMcp } from './commands/mcp';
import { registerPeople } from './commands/people';
import { registerPolicy } from './commands/policy';
import { registerServe } from './commands/serve';
import { registerTeams } from './commands/teams';
import { CliError, EXIT, err } from './io';

const ENVIRONMENT = `
Environment (serve, init, keys, policy, audit): COUNTERSIGN_DB_URL (default file:./data/countersign.db),
COUNTERSIGN_DB_AUTH_TOKEN, COUNTERSIGN_POLICY (default ./countersign.policy.yaml), COUNTERSIGN_POLICY_CASES,
PORT (default 8787), HOST (default 127.0.0.1), COUNTERSIGN_SECRET, COUNTERSIGN_MAX_BODY_BYTES,
COUNTERSIGN_RATE_LIMIT, COUNTERSIGN_SWEEP_INTERVAL_MS, COUNTERSIGN_OUTBOX_LEASE_MS, COUNTERSIGN_METRICS_PORT,
COUNTERSIGN_AUDIT_CHECKPOINT_EVENTS, COUNTERSIGN_AUDIT_CHECKPOINT_MINUTES, COUNTERSIGN_WEBHOOK_HOSTS,
COUNTERSIGN_TRUST_PROXY, COUNTERSIGN_CONSOLE_PACK, LOG_LEVEL;
the web console: COUNTERSIGN_PUBLIC_URL, COUNTERSIGN_OIDC_ISSUER, COUNTERSIGN_OIDC_CLIENT_ID,
COUNTERSIGN_OIDC_CLIENT_SECRET, COUNTERSIGN_OIDC_EMAILS_VERIFIED, COUNTERSIGN_OIDC_MFA_ACR,
COUNTERSIGN_OIDC_MFA_AMR, COUNTERSIGN_SESSION_IDLE_MINUTES, COUNTERSIGN_SESSION_MAX_HOURS (docs/console.md);
the Slack bot: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET or SLACK_APP_TOKEN, SLACK_APPROVALS_CHANNEL,
SLACK_API_URL; the Teams bot: TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID, TEAMS_APPROVALS_CHANNEL,
and for tests TEAMS_LOGIN_URL, TEAMS_GRAPH_URL (docs/teams.md). exec and mcp read COUNTERSIGN_URL and
COUNTERSIGN_KEY. The README explains each.

Run "countersign COMMAND --help" for a command's options.`;

/** `countersign keys create`: the words a person types to reach `command`. */
export const pathOf = (command: Command): string =>
  command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name();

/**
 * Commander's own errors ("error: unknown option '--x'\n(Did you mean --y?)") as one line in the
 * CLI's voice, with the usage that would have worked. Tests and scripts match on the first words.
 */
function tidy(text: string, command: Command): string {
  const message = text
    .replace(/^error: /, '')
    .replace(/^unknown command '(.*?)'/, 'unknown command "$1"')
    .replace(/^(?!unknown command)./, (first) => first.toUpperCase())
    .trim()
    .split('\n')
    .join(' ')
    .replace(/\.$/, '');
  return `${message} (usage: ${pathOf(command)} ${command.usage()}; see --help)`;
}

/** Every command and subcommand reports its own usage errors and never calls process.exit itself. */
function wire(command: Command): void {
  command.exitOverride((error) => {
    // Help asked for: 0. A group run without its subcommand prints its help and is a usage error.
    throw new CliError('', error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });
  command.configureOutput({ outputError: (text) => err(tidy(text, command)) });
  for (const sub of command.commands) wire(sub);
}

/**
 * The whole command tree. `argv` is what the user typed: `exec` and `mcp` read the command after
 * `--` from it, because commander folds operands before and after `--` together.
 */
export function buildProgram(argv: readonly string[]): Command {
  const program = new Command('countersign')
    .description('Countersign: action-level approvals for AI agents.')
    .usage('COMMAND [options]')
    .addHelpText('after', ENVIRONMENT);
  registerServe(program);
  registerInit(program);
  registerKeys(program);
  registerAgents(program);
  registerLogin(program);
  registerPolicy(program);
  registerAudit(program);
  registerBackup(program);
  registerTeams(program);
  registerPeople(program);
  registerExec(program, argv);
  registerMcp(program, argv);
  wire(program);
  return program;
}
