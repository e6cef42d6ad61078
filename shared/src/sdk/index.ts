// The Countersign SDK. Browser-safe by construction: it uses only fetch, AbortSignal, crypto.subtle,
// TextEncoder and timers, so the extension, workers and Node 20+ all load this same entry.

export { actionDigest, canonicalAction } from '../digest';
export type { ActionRequest, ActionStatus } from '../schemas/action';
export { backoffDelay, DEFAULT_RETRY, type RetryOptions } from './backoff';
export {
  type ActionInput,
  Countersign,
  type CountersignOptions,
  type Grant,
  type GuardOptions,
  type RequestOptions,
} from './client';
export {
  ActionBlocked,
  ActionCancelled,
  ActionDenied,
  ActionExpired,
  ActionNotApproved,
  CountersignError,
  refusalOf,
} from './errors';
export {
  ActionHandle,
  type Question,
  type Redeemed,
  type RedeemOptions,
  type WaitOptions,
} from './handle';
export type { FetchLike } from './transport';
export {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  type VerifyWebhookInput,
  verifyWebhook,
  type WebhookFailure,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhook';
