import { constants } from 'node:os';
import {
  type ActionHandle,
  type ActionInput,
  type Countersign,
  CountersignError,
  type Redeemed,
} from '@countersign/shared/sdk';
import type { Command } from 'commander';
import { commandAfterDashes } from '../after-dashes';
import { amendedLines } from '../agent/amended-rerun';
import { childEnv, clientFromEnv, SUBMIT_RETRY } from '../agent/connect';
import { type ExecFlags, execAction } from '../agent/exec-args';
import { describeFailure, EXEC_EXIT } from '../agent/outcome-exit';
import { canRun, runAttached } from '../agent/run-command';
import { WaitDisplay } from '../agent/wait-display';
import { EXIT, err, usage } from '../io';

const say = (line: string) => err(`countersign: ${line}`);

const EXIT_CODES = `
Environment: COUNTERSIGN_URL (the server) and COUNTERSIGN_KEY (an agent key with actions:write).
The command gets COUNTERSIGN_GRANT and COUNTERSIGN_ACTION_ID, and runs only once its grant is spent.

Exit codes:
  the command's own   approved (or allowed by policy): the command ran
  77                  denied by a reviewer or blocked by policy; nothing ran
  75                  expired or cancelled (also the first Ctrl-C while waiting); nothing ran
  143                 SIGTERM while waiting: the request was cancelled; nothing ran
  64                  usage: a bad flag, no command after --, or the command is not found
  69                  Countersign could not be reached
  78                  configuration: COUNTERSIGN_URL or COUNTERSIGN_KEY missing or refused
  70                  anything unexpected

Example:
  countersign exec --action db.migrate --env prod --justification "ticket 42" -- ./migrate.sh up`;

export function registerExec(program: Command, argv: readonly string[]): void {
  program
    .command('exec')
    .description('Ask for approval, wait for it, then run a command with the grant spent.')
    .usage('--action ACTION [options] -- COMMAND [ARGS...]')
    .argument('[COMMAND...]', 'the command to run, after --')
    .option('--action <ACTION>', 'what the command does, e.g. db.migrate (required)')
    .option('--resource <RESOURCE>', 'what it acts on, e.g. customers/eu')
    .option('--env <ENV>', 'where, e.g. prod')
    .option('--justification <TEXT>', 'why, shown to reviewers')
    .option('--param <k=v>', 'a parameter (repeatable); JSON scalars stay typed', collect)
    .addHelpText('after', EXIT_CODES)
    .action((operands: string[], flags: ExecFlags) =>
      execCommand(
        flags,
        commandAfterDashes(argv, operands, 'exec', 'countersign exec --action x -- ./deploy.sh'),
      ),
    );
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Asks for approval, waits, spends the grant, then runs the command; exits with its exit code. */
async function execCommand(flags: ExecFlags, command: [string, ...string[]]): Promise<void> {
  const action = execAction(flags);
  if (!canRun(command[0])) throw usage(`exec: ${command[0]}: command not found`);
  const client = clientFromEnv();
  // Reviewers see exactly what will run, and where.
  const request: ActionInput = { ...action, context: { command, cwd: process.cwd() } };
  const approved = await obtainGrant(client, request, command);
  if (typeof approved === 'number') {
    process.exitCode = approved;
    return;
  }
  const { handle, redeemed } = approved;
  say(`${approvalLine(handle)}; running ${command.join(' ')}`);
  process.exitCode = await runAttached(
    command,
    childEnv({ COUNTERSIGN_GRANT: redeemed.grantId, COUNTERSIGN_ACTION_ID: redeemed.actionId }),
  );
}

function approvalLine(handle: ActionHandle): string {
  const { request } = handle;
  if (request.status === 'allowed') return `allowed by policy rule ${request.rule.name} (${request.id})`;
  const approvers = request.reviews.filter((r) => r.decision === 'approve').map((r) => r.reviewer);
  return `approved by ${approvers.join(', ') || 'its reviewers'} (${request.id})`;
}

/**
 * The redeemed grant, or the exit code to stop with. A first SIGINT or SIGTERM while waiting cancels
 * the request and exits 75, as any cancelled request does (143 for SIGTERM, which a supervisor sends
 * and expects to see); a second signal leaves at once.
 */
async function obtainGrant(
  client: Countersign,
  action: ActionInput,
  command: readonly string[],
): Promise<{ handle: ActionHandle; redeemed: Redeemed } | number> {
  const interrupt = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(128 + constants.signals[signalled]);
    signalled = signal;
    interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  const interruptedCode = () =>
    signalled === 'SIGTERM' ? 128 + constants.signals.SIGTERM : EXEC_EXIT.interrupted;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = new WaitDisplay();
  let handle: ActionHandle | undefined;
  try {
    handle = await client.request(action, { signal: interrupt.signal, retry: SUBMIT_RETRY });
    await handle.wait({ signal: interrupt.signal, onUpdate: display.update });
    display.stop();
    const redeemed = await handle.redeem();
    // Ctrl-C during the redeem: the grant is spent, but the person asked us to stop.
    if (signalled) {
      say(`interrupted after approval; ${handle.id}'s grant is spent and nothing was run`);
      return interruptedCode();
    }
    return { handle, redeemed };
  } catch (error) {
    display.stop();
    if (signalled) return cancelAfterInterrupt(handle, interruptedCode());
    // The SDK's refusal names its own option (acceptAmended); a person here needs what was approved
    // and the command that would ask for it. Still 70: the command this person typed did not run.
    if (error instanceof CountersignError && error.code === 'amended' && handle?.request.amended) {
      for (const line of amendedLines(handle.request, action, command)) say(line);
      return EXIT.software;
    }
    const failure = describeFailure(error);
    say(failure.message);
    return failure.code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function cancelAfterInterrupt(handle: ActionHandle | undefined, code: number): Promise<number> {
  if (!handle) {
    say('interrupted before Countersign answered; nothing was run');
    return code;
  }
  if (handle.request.status !== 'pending') {
    say(`interrupted; ${handle.id} is ${handle.request.status} and nothing was run`);
    return code;
  }
  try {
    // Bounded, so an unreachable server does not hold the terminal; a second Ctrl-C leaves sooner.
    await handle.cancel({ signal: AbortSignal.timeout(10_000) });
    say(`interrupted: cancelled ${handle.id}; nothing was run`);
  } catch (error) {
    say(`interrupted; could not cancel ${handle.id} (${describeFailure(error).message}); nothing was run`);
  }
  return code;
}
