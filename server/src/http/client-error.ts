import type { Socket } from 'node:net';
import { errorBody } from './errors';

type ClientError = Error & { code?: string };

/**
 * Node's HTTP parser refuses some requests before any route runs (a header block over
 * --max-http-header-size, 16 KB by default; a malformed request line) and answered them with an
 * empty body. This answers them with the contract's error body instead. The bound stays Node's:
 * only the answer changes.
 */
export function answerClientError(err: ClientError, socket: Socket): void {
  // A connection already gone, or one mid-answer, cannot take another response.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          errorBody('headers_too_large', 'the request headers are larger than this server takes (16 KB)', [
            { path: 'headers', message: 'too large' },
          ]),
        ]
      : [
          400,
          'Bad Request',
          errorBody(
            'invalid_request',
            err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
              ? 'the request took too long to arrive'
              : 'the request is not valid HTTP',
          ),
        ];
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
