/**
 * Errors that mean "the database cannot take this now" rather than "this request is wrong": the
 * libSQL server is down or unreachable, the disk is full, the file turned read-only or vanished.
 * Clients see them as 503 `unavailable` with Retry-After and retry, as they would a network error.
 */
export class StorageUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailable';
  }
}

const SQLITE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|NOTADB|CORRUPT|BUSY|LOCKED)/;
// The libSQL client's own codes when the server cannot be reached or drops the stream.
const CLIENT_CODES = new Set([
  'SERVER_ERROR',
  'HRANA_WEBSOCKET_ERROR',
  'HRANA_CLOSED_ERR',
  'STREAM_EXPIRED',
  'STREAM_CLOSED',
  'TRANSACTION_CLOSED',
]);
const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|UND_ERR_.*|ENOSPC|EROFS|EACCES|EIO)$/;

/** True when `error`, or anything in its cause chain, is the storage being unavailable. */
export function isStorageUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 8; depth++) {
    if (e instanceof StorageUnavailable) return true;
    if (typeof e !== 'object') return false;
    const code = 'code' in e && typeof e.code === 'string' ? e.code : '';
    const extended = 'extendedCode' in e && typeof e.extendedCode === 'string' ? e.extendedCode : '';
    if (SQLITE_CODES.test(code) || SQLITE_CODES.test(extended)) return true;
    if (CLIENT_CODES.has(code) || NETWORK_CODES.test(code)) return true;
    const message = e instanceof Error ? e.message : '';
    if (
      /fetch failed|database or disk is full|attempt to write a readonly database|disk I\/O error/i.test(
        message,
      )
    )
      return true;
    e = 'cause' in e ? e.cause : undefined;
  }
  return false;
}
