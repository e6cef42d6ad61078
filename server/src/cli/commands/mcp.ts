import { parseArgs } from 'node:util';
import { childEnv, clientFromEnv } from '../agent/connect';
import { McpGateway } from '../agent/mcp-gateway';
import { canRun } from '../agent/run-command';
import { usage } from '../io';

const DEFAULT_HEARTBEAT_SECONDS = 10;

/**
 * A stdio MCP server that runs the real one as a child and puts each tools/call before Countersign
 * as action `mcp.<name>.<tool>`. Standard output carries MCP messages only; notes go to standard error.
 */
export async function mcpCommand(argv: string[]): Promise<void> {
  const dashes = argv.indexOf('--');
  if (dashes === -1)
    throw usage('mcp: put the MCP server command after --, e.g. countersign mcp -- npx some-mcp-server');
  const [program, ...args] = argv.slice(dashes + 1);
  if (program === undefined || program === '') throw usage('mcp: no command after --');
  const { values, positionals } = parseArgs({
    args: argv.slice(0, dashes),
    options: { name: { type: 'string' }, heartbeat: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0)
    throw usage(`mcp: unexpected "${positionals[0]}" before -- (the command goes after --)`);
  if (values.name !== undefined && !/^[\w.:/-]{1,64}$/.test(values.name))
    throw usage(`--name: "${values.name}" is not 1-64 of letters, digits and . _ : / -`);
  const heartbeat = Number(values.heartbeat ?? DEFAULT_HEARTBEAT_SECONDS);
  if (!Number.isFinite(heartbeat) || heartbeat < 0.1 || heartbeat > 300)
    throw usage(`--heartbeat: "${values.heartbeat}" is not a number of seconds between 0.1 and 300`);
  if (!canRun(program)) throw usage(`mcp: ${program}: command not found`);
  const client = clientFromEnv();

  const gateway = new McpGateway({
    client,
    name: values.name,
    command: [program, ...args],
    env: childEnv(),
    heartbeatMs: heartbeat * 1000,
  });
  await gateway.start();
  process.once('SIGINT', () => void gateway.close(0));
  process.once('SIGTERM', () => void gateway.close(0));
  process.exitCode = await gateway.finished;
}
