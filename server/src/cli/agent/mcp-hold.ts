import {
  type ActionInput,
  ActionNotApproved,
  type ActionRequest,
  type Countersign,
  CountersignError,
} from '@countersign/shared/sdk';
import { SUBMIT_RETRY } from './connect';
import { refusalLine } from './outcome-exit';
import { describeWait } from './wait-display';

export type Verdict = { run: true } | { run: false; text: string } | { run: false; aborted: true };

export type HoldOptions = {
  signal: AbortSignal;
  /** Called at once when the call is held, on every change, and every `heartbeatMs` while it waits. */
  onWaiting?: (message: string) => void;
  heartbeatMs: number;
};

const notRun = 'The tool was not run.';

/**
 * Puts one tool call before Countersign: resolves `run` only once a grant for exactly this call has
 * been redeemed. Every other ending (refusal, expiry, an unreachable server, a broken answer) is a
 * text for the model that says who refused and why — the gateway fails closed.
 */
export async function holdCall(
  client: Countersign,
  tool: string,
  action: ActionInput,
  options: HoldOptions,
): Promise<Verdict> {
  let ticker: NodeJS.Timeout | undefined;
  let latest: ActionRequest | undefined;
  const report = () => {
    if (latest?.status === 'pending') options.onWaiting?.(describeWait(latest, Date.now()));
  };
  try {
    const handle = await client.request(action, { signal: options.signal, retry: SUBMIT_RETRY });
    try {
      await handle.wait({
        signal: options.signal,
        onUpdate: (request) => {
          latest = request;
          report();
          if (request.status === 'pending') ticker ??= setInterval(report, options.heartbeatMs);
        },
      });
    } catch (error) {
      // The client gave up on this call: withdraw it, so nobody reviews a call no one is waiting for.
      if (options.signal.aborted && handle.request.status === 'pending')
        await handle.cancel({ signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      throw error;
    }
    clearInterval(ticker);
    await handle.redeem();
    return { run: true };
  } catch (error) {
    if (options.signal.aborted) return { run: false, aborted: true };
    return { run: false, text: refusalText(tool, action.action, error) };
  } finally {
    clearInterval(ticker);
  }
}

export function refusalText(tool: string, action: string, error: unknown): string {
  if (error instanceof ActionNotApproved) {
    const hint =
      error.outcome === 'denied' || error.outcome === 'blocked'
        ? 'Do not retry it unchanged; explain this to the user or take another approach.'
        : 'You may ask again later.';
    return `Countersign did not approve the call to "${tool}" (action ${action}): ${refusalLine(error)}. ${notRun} ${hint}`;
  }
  if (error instanceof CountersignError && (error.code === 'unavailable' || error.status >= 500)) {
    return `Countersign could not be reached (${error.message}), and calls through this gateway run only with its approval. ${notRun}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof CountersignError ? `${error.code}: ` : '';
  return `Countersign could not approve the call to "${tool}" (action ${action}): ${code}${message}. ${notRun}`;
}
