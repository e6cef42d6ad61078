import {
  ActionBlocked,
  ActionCancelled,
  ActionDenied,
  ActionExpired,
  ActionNotApproved,
  CountersignError,
} from '@countersign/shared/sdk';
import { EXIT } from '../io';

/** Exit codes of `countersign exec` beyond the shared sysexits ones. */
export const EXEC_EXIT = {
  /** Denied by a reviewer or blocked by policy (EX_NOPERM). */
  refused: 77,
  /** Expired or cancelled: nothing ran, asking again later may work (EX_TEMPFAIL). */
  tempfail: 75,
  /** Ctrl-C while waiting: the request was cancelled, so it ends as a cancelled request does. */
  interrupted: 75,
} as const;

export type Failure = { code: number; message: string };

const codeOf = (error: CountersignError): number => {
  if (error.code === 'unavailable' || error.code === 'rate_limited' || error.status >= 500)
    return EXIT.unavailable;
  if (error.code === 'unauthenticated' || error.code === 'forbidden') return EXIT.config;
  if (error.code === 'invalid_request') return EXIT.usage;
  if (error.code === 'grant_expired' || error.code === 'grant_unavailable') return EXEC_EXIT.tempfail;
  return EXIT.software;
};

/** One line and an exit code for anything that stops `exec` before the command runs. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof ActionNotApproved) return { code: refusalCode(error), message: refusalLine(error) };
  if (error instanceof CountersignError) {
    const details = error.details?.map((d) => `${d.path || '(body)'}: ${d.message}`).join('; ');
    const hint = error.code === 'unauthenticated' ? ' (check COUNTERSIGN_KEY)' : '';
    return {
      code: codeOf(error),
      message: `${error.code}: ${error.message}${details ? ` (${details})` : ''}${hint}`,
    };
  }
  return {
    code: EXIT.software,
    message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
  };
}

function refusalCode(error: ActionNotApproved): number {
  return error instanceof ActionDenied || error instanceof ActionBlocked
    ? EXEC_EXIT.refused
    : EXEC_EXIT.tempfail;
}

/** Who decided and why, in the words a person (or a model) can act on. */
export function refusalLine(error: ActionNotApproved): string {
  const id = error.request.id;
  if (error instanceof ActionDenied)
    return `denied by ${error.who ?? 'a reviewer'}${error.reason ? `: ${error.reason}` : ''} (${id})`;
  if (error instanceof ActionBlocked)
    return `blocked by policy rule ${error.rule}${error.reason ? `: ${error.reason}` : ''} (${id})`;
  if (error instanceof ActionExpired)
    return `expired without a decision at ${error.request.expiresAt ?? '?'} (${id})`;
  if (error instanceof ActionCancelled) return `cancelled (${id})`;
  return `${error.message} (${id})`;
}
