import { ERROR_STATUS, type ErrorBody, type ErrorCode, type ErrorDetail } from '@countersign/shared';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { isStorageUnavailable } from '../db/storage-errors';
import { DomainError } from '../errors';

const STORAGE_RETRY_AFTER_S = 5;

/** A 503 the database caused says when to try again, the same wherever it is answered (API, readyz, SCIM). */
export const retryStorageLater = (c: Context): void => c.header('Retry-After', String(STORAGE_RETRY_AFTER_S));

// `details` is always there (empty when nothing names a field): the contract's body has all three keys.
export const errorBody = (code: ErrorCode, message: string, details?: ErrorDetail[]): ErrorBody => ({
  error: { code, message, details: details ?? [] },
});

export function errorResponse(c: Context, code: ErrorCode, message: string, details?: ErrorDetail[]) {
  return c.json(errorBody(code, message, details), ERROR_STATUS[code] as ContentfulStatusCode);
}

/** zod issues as the contract's `details`: one entry per offending field path, unknown fields named. */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.') || '(body)', message: issue.message }];
  });
}

const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  429: 'rate_limited',
};

/** The one place errors become HTTP: domain codes map by table; anything unexpected is a logged 500. */
export function toErrorResponse(err: Error, c: Context, log: (err: Error) => void) {
  if (err instanceof DomainError) return errorResponse(c, err.code, err.message, err.details);
  if (isStorageUnavailable(err)) {
    // An outage, not a bug: say so, and when to try again (clients retry it as a network error).
    c.var.log?.warn({ err }, 'storage unavailable');
    retryStorageLater(c);
    return errorResponse(c, 'unavailable', 'the database is unavailable; try again shortly');
  }
  const conflict = uniqueConflict(err);
  if (conflict)
    return errorResponse(
      c,
      conflict,
      'another server decided this at the same moment; read the request again',
    );
  if (err instanceof HTTPException) {
    // Anything else the framework refuses (415 for a body that is not JSON, 405 …) is bad input.
    const code =
      HTTP_CODES[err.status] ?? (err.status >= 400 && err.status < 500 ? 'invalid_request' : undefined);
    if (code) return errorResponse(c, code, err.message || code);
  }
  log(err);
  return errorResponse(c, 'internal', 'internal error; the request id in the logs has the details');
}

/**
 * Several nodes on one libSQL server can race past each other's checks; the unique indexes then
 * refuse the loser. That is the conflict the contract names, not a server error.
 */
export function uniqueConflict(err: Error): ErrorCode | undefined {
  const text = `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}`;
  if (!text.includes('UNIQUE constraint failed')) return undefined;
  if (text.includes('reviews.')) return 'already_reviewed';
  if (text.includes('actions.idempotency_key')) return 'idempotency_mismatch';
  return undefined;
}
