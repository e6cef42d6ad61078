import type { ActionRequest } from '../schemas/action';
import type { ErrorDetail } from '../schemas/errors';

/**
 * A call to Countersign that did not succeed: the server's error (`code`, HTTP `status`, `details`),
 * or one the SDK found itself, with `status` 0: `unavailable` (network trouble outlasted the retries),
 * `bad_response`, `invalid_request` (a number the server would refuse; send it as a string), `digest_mismatch` (the server's digest is not the one computed here), `not_approved`.
 */
export class CountersignError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number; details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CountersignError';
    this.code = code;
    this.status = options.status ?? 0;
    this.details = options.details;
  }
}

/** The request reached a final status other than approved or allowed: the guarded code did not run. */
export abstract class ActionNotApproved extends Error {
  abstract readonly outcome: 'denied' | 'blocked' | 'expired' | 'cancelled';
  readonly request: ActionRequest;

  constructor(message: string, request: ActionRequest) {
    super(message);
    this.request = request;
  }
}

/** A reviewer refused it. `who` is the reviewer's principal, `reason` their comment. */
export class ActionDenied extends ActionNotApproved {
  override name = 'ActionDenied';
  readonly outcome = 'denied' as const;
  readonly who: string | undefined;
  readonly reason: string | undefined;

  constructor(request: ActionRequest) {
    // The first deny decides, so the deny review is the one that explains the decision.
    const deny = request.reviews.find((r) => r.decision === 'deny');
    const who = deny?.reviewer;
    const reason = deny?.comment ?? request.reason;
    super(`${request.action} was denied${who ? ` by ${who}` : ''}${reason ? `: ${reason}` : ''}`, request);
    this.who = who;
    this.reason = reason;
  }
}

/** The policy refused it at once; `rule` names the rule, `reason` is the policy's explanation. */
export class ActionBlocked extends ActionNotApproved {
  override name = 'ActionBlocked';
  readonly outcome = 'blocked' as const;
  readonly rule: string;
  readonly reason: string | undefined;

  constructor(request: ActionRequest) {
    const reason = request.reason;
    super(
      `${request.action} was blocked by policy rule ${request.rule.name}${reason ? `: ${reason}` : ''}`,
      request,
    );
    this.rule = request.rule.name;
    this.reason = reason;
  }
}

/** Nobody decided before the request's timeout. */
export class ActionExpired extends ActionNotApproved {
  override name = 'ActionExpired';
  readonly outcome = 'expired' as const;

  constructor(request: ActionRequest) {
    super(`${request.action} expired at ${request.expiresAt ?? 'its deadline'} without a decision`, request);
  }
}

/** The requester withdrew it. */
export class ActionCancelled extends ActionNotApproved {
  override name = 'ActionCancelled';
  readonly outcome = 'cancelled' as const;

  constructor(request: ActionRequest) {
    super(`${request.action} was cancelled`, request);
  }
}

/** The typed outcome of a final request that may not run, or undefined when it may (or is pending). */
export function refusalOf(request: ActionRequest): ActionNotApproved | undefined {
  switch (request.status) {
    case 'denied':
      return new ActionDenied(request);
    case 'blocked':
      return new ActionBlocked(request);
    case 'expired':
      return new ActionExpired(request);
    case 'cancelled':
      return new ActionCancelled(request);
    case 'pending':
    case 'approved':
    case 'allowed':
      return undefined;
  }
}
