import { z } from 'zod';

/** Every domain error code of the contract, and the HTTP status it maps to at the edge. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  self_approval: 403,
  identity_unusable: 403,
  step_up_required: 403,
  owner_inactive: 403,
  not_an_approver: 403,
  digest_mismatch: 403,
  amend_not_allowed: 403,
  not_found: 404,
  // Beyond the contract's list: a known path under another method (with `Allow`).
  method_not_allowed: 405,
  not_pending: 409,
  already_reviewed: 409,
  grant_used: 409,
  idempotency_mismatch: 409,
  amend_too_late: 409,
  // A review made on a version of the request that is no longer current (it was amended since).
  request_changed: 409,
  standing_not_allowed: 409,
  expired: 410,
  grant_expired: 410,
  payload_too_large: 413,
  // A body in a Content-Encoding the server does not decode (it decodes none): RFC 9110 §15.5.16.
  unsupported_media_type: 415,
  rate_limited: 429,
  // Refused by Node's HTTP parser before any route: the header block is over its 16 KB bound.
  headers_too_large: 431,
  unavailable: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

// `url` says where to finish something the API cannot do (a step-up in the console).
export const ErrorDetail = z.object({ path: z.string(), message: z.string(), url: z.string().optional() });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(ErrorDetail).optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;
