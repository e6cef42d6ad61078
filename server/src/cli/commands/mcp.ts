import type { Command } from 'commander';
import { commandAfterDashes } from '../after-dashes';
import { childEnv, clientFromEnv } from '../agent/connect';
import { canRun } from '../agent/run-command';
import { usage } from '../io';

const DEFAULT_HEARTBEAT_SECONDS = 10;

type McpFlags = { name?: string; heartbeat?: string };

export function registerMcp(program: Command, argv: readonly string[]): void {
  program
    .command('mcp')
    .description(
      'An MCP server in front of another: each tools/call waits for approval as action mcp.<name>.<tool>.',
    )
    .usage('[options] -- COMMAND [ARGS...]')
    .argument('[COMMAND...]', 'the real MCP server, after --')
    .option('--name <NAME>', 'the <name> in mcp.<name>.<tool> (default: the server name it reports)')
    .option(
      '--heartbeat <SECONDS>',
      `progress notices while a call waits (default ${DEFAULT_HEARTBEAT_SECONDS})`,
    )
    .addHelpText(
      'after',
      '\nEnvironment: COUNTERSIGN_URL and COUNTERSIGN_KEY, as for exec. Standard output carries MCP\n' +
        'messages only. Example: countersign mcp --name todo -- npx some-mcp-server',
    )
    .action((operands: string[], flags: McpFlags) =>
      mcpCommand(flags, commandAfterDashes(argv, operands, 'mcp', 'countersign mcp -- npx some-mcp-server')),
    );
}

/**
 * A stdio MCP server that runs the real one as a child and puts each tools/call before Countersign
 * as action `mcp.<name>.<tool>`. Standard output carries MCP messages only; notes go to standard error.
 */
async function mcpCommand(flags: McpFlags, command: [string, ...string[]]): Promise<void> {
  if (flags.name !== undefined && !/^[\w.:/-]{1,64}$/.test(flags.name))
    throw usage(`--name: "${flags.name}" is not 1-64 of letters, digits and . _ : / -`);
  const heartbeat = Number(flags.heartbeat ?? DEFAULT_HEARTBEAT_SECONDS);
  if (!Number.isFinite(heartbeat) || heartbeat < 0.1 || heartbeat > 300)
    throw usage(`--heartbeat: "${flags.heartbeat}" is not a number of seconds between 0.1 and 300`);
  if (!canRun(command[0])) throw usage(`mcp: ${command[0]}: command not found`);
  const client = clientFromEnv();
  // Loaded here: the MCP SDK is the heaviest import of the CLI, and only this command needs it.
  const { McpGateway } = await import('../agent/mcp-gateway');
  const gateway = new McpGateway({
    client,
    name: flags.name,
    command,
    env: childEnv(),
    heartbeatMs: heartbeat * 1000,
  });
  await gateway.start();
  process.once('SIGINT', () => void gateway.close(0));
  process.once('SIGTERM', () => void gateway.close(0));
  process.exitCode = await gateway.finished;
}
