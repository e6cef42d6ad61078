import type { ErrorCode, ErrorDetail } from '@countersign/shared';

/** A refusal the core means to give: it carries a code from the contract and no HTTP. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export const invalid = (message: string, details?: ErrorDetail[]) =>
  new DomainError('invalid_request', message, details);
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message: string) => new DomainError('forbidden', message);
