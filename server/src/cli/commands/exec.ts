import { constants } from 'node:os';
import type { ActionHandle, ActionInput, Countersign, Redeemed } from '@countersign/shared/sdk';
import { childEnv, clientFromEnv, SUBMIT_RETRY } from '../agent/connect';
import { parseExecArgs } from '../agent/exec-args';
import { describeFailure, EXEC_EXIT } from '../agent/outcome-exit';
import { canRun, runAttached } from '../agent/run-command';
import { WaitDisplay } from '../agent/wait-display';
import { err, usage } from '../io';

const say = (line: string) => err(`countersign: ${line}`);

/** Asks for approval, waits, spends the grant, then runs the command; exits with its exit code. */
export async function execCommand(argv: string[]): Promise<void> {
  const { action, command } = parseExecArgs(argv);
  if (!canRun(command[0])) throw usage(`exec: ${command[0]}: command not found`);
  const client = clientFromEnv();
  // Reviewers see exactly what will run, and where.
  const request: ActionInput = { ...action, context: { command, cwd: process.cwd() } };
  const approved = await obtainGrant(client, request);
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
